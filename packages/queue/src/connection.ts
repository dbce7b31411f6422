import { Redis, type RedisOptions } from 'ioredis';

/**
 * - `producer`: fails fast. A command is never queued while disconnected, so the receiver can fall
 *   back to its disk spool instead of hanging a webhook request (SuperOffice gives up after 3 tries in ~5 s, superoffice-api.md 3.1).
 * - `worker`: waits for Redis forever; BullMQ requires `maxRetriesPerRequest: null` for
 *   connections used by blocking commands.
 */
export type ConnectionRole = 'producer' | 'worker';

export interface ConnectionOptions {
  readonly role: ConnectionRole;
  /**
   * Per-command timeout (ioredis arms a timer per command when set). Unset by default: the
   * receiver bounds each whole request instead.
   */
  readonly commandTimeoutMs?: number;
  /** Shown in `CLIENT LIST`, to tell the connector's connections apart. */
  readonly connectionName?: string;
}

/** Reconnect quickly at first, then every 2 s at most, forever. */
function retryStrategy(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2000);
}

export function createRedisConnection(url: string, options: ConnectionOptions): Redis {
  const common: RedisOptions = {
    connectionName: options.connectionName ?? `so-connector:${options.role}`,
    retryStrategy,
    lazyConnect: false,
  };
  const roleOptions: RedisOptions =
    options.role === 'producer'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          // Commands issued in the same tick go out in one write. Under 50 concurrent webhooks this
          // cut the receiver's CPU per request by ~25% (bench/RESULTS.md); order is kept, so the
          // receiver's EXISTS still runs before its add.
          enableAutoPipelining: true,
        }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true };
  const timeout: RedisOptions =
    options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs };
  return new Redis(url, { ...common, ...roleOptions, ...timeout });
}

export interface RedisDurabilityReport {
  /** `maxmemory-policy`, or undefined when CONFIG is not allowed (some managed Redis). */
  readonly evictionPolicy: string | undefined;
  readonly appendOnly: boolean | undefined;
  /** Human-readable warnings; empty when Redis is set up as DESIGN.md requires. */
  readonly warnings: readonly string[];
}

async function configGet(redis: Redis, key: string): Promise<string | undefined> {
  try {
    const reply = (await redis.config('GET', key)) as string[];
    return reply[1];
  } catch {
    return undefined;
  }
}

/**
 * Checks the settings that make Redis a durable queue: `maxmemory-policy noeviction` (any other
 * policy may evict job keys under memory pressure) and AOF (without it a Redis restart loses what
 * was accepted since the last snapshot).
 */
export async function inspectRedisDurability(redis: Redis): Promise<RedisDurabilityReport> {
  const [evictionPolicy, appendOnlyRaw] = await Promise.all([
    configGet(redis, 'maxmemory-policy'),
    configGet(redis, 'appendonly'),
  ]);
  const appendOnly = appendOnlyRaw === undefined ? undefined : appendOnlyRaw === 'yes';
  const warnings: string[] = [];
  if (evictionPolicy !== undefined && evictionPolicy !== 'noeviction') {
    warnings.push(
      `Redis maxmemory-policy is "${evictionPolicy}", not "noeviction": queued events can be evicted under memory pressure`,
    );
  }
  if (appendOnly === false) {
    warnings.push(
      'Redis appendonly is off: events accepted since the last snapshot are lost if Redis restarts',
    );
  }
  return { evictionPolicy, appendOnly, warnings };
}
