import { Cluster, type Redis } from 'ioredis';

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

/** The warnings of an eviction policy and AOF setting (undefined = not known). */
export function durabilityWarnings(
  evictionPolicy: string | undefined,
  appendOnly: boolean | undefined,
): string[] {
  const warnings: string[] = [];
  if (evictionPolicy !== undefined && evictionPolicy !== 'noeviction') {
    warnings.push(
      `Redis maxmemory-policy is "${evictionPolicy}", not "noeviction": queued events and EventId dedup markers can be evicted under memory pressure (a volatile-* policy evicts exactly the keys with a TTL, such as the markers)`,
    );
  }
  if (appendOnly === false) {
    warnings.push(
      'Redis appendonly is off: events accepted since the last snapshot are lost if Redis restarts',
    );
  }
  return warnings;
}

/**
 * Checks the settings that make Redis a durable queue: `maxmemory-policy noeviction` (any other
 * policy may evict job keys under memory pressure) and AOF (without it a Redis restart loses what
 * was accepted since the last snapshot).
 */
async function inspectNode(redis: Redis): Promise<RedisDurabilityReport> {
  const [evictionPolicy, appendOnlyRaw] = await Promise.all([
    configGet(redis, 'maxmemory-policy'),
    configGet(redis, 'appendonly'),
  ]);
  const appendOnly = appendOnlyRaw === undefined ? undefined : appendOnlyRaw === 'yes';
  return { evictionPolicy, appendOnly, warnings: durabilityWarnings(evictionPolicy, appendOnly) };
}

/** A node whose setting is not durable, else the first node's (a cluster shares one queue). */
export function worstOf(reports: readonly RedisDurabilityReport[]): RedisDurabilityReport {
  const worst = reports.find((r) => r.warnings.length > 0) ?? reports[0];
  return worst ?? { evictionPolicy: undefined, appendOnly: undefined, warnings: [] };
}

/** How long `inspectRedisDurability` waits for a Cluster to learn its nodes, by default. */
export const CLUSTER_READY_WAIT_MS = 10_000;

/**
 * Resolves once the cluster is ready, rejects after `timeoutMs` with an error naming the problem.
 * Unbounded, a cluster that never gets ready (seeds unreachable, cluster down) kept the check and
 * its 'ready' listener pending for the life of the process.
 */
function clusterReady(redis: Cluster, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      redis.off('end', onEnd);
      resolve();
    };
    // Closed before it was ready (a shutdown): nothing to check, and no timer left behind to keep
    // the process alive or log a warning after the stop.
    const onEnd = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      reject(
        new Error('Redis Cluster durability check: the connection closed before it was ready'),
      );
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      redis.off('end', onEnd);
      reject(
        new Error(
          `Redis Cluster durability check: the cluster was not ready within ${timeoutMs} ms (status ${redis.status}); maxmemory-policy and AOF not checked`,
        ),
      );
    }, timeoutMs);
    timer.unref();
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

/**
 * On a Redis Cluster CONFIG is per node, so each master the connection knows is asked (the
 * connection reaches no replica; `doctor` reports every node); the report is the first master not
 * set up durably. A cluster not ready within `readyTimeoutMs` (before it is ready it knows no
 * node) rejects with an error saying so.
 */
export async function inspectRedisDurability(
  redis: Redis | Cluster,
  { readyTimeoutMs = CLUSTER_READY_WAIT_MS }: { readonly readyTimeoutMs?: number } = {},
): Promise<RedisDurabilityReport> {
  if (!(redis instanceof Cluster)) return inspectNode(redis);
  await clusterReady(redis, readyTimeoutMs);
  return worstOf(await Promise.all(redis.nodes('master').map((node) => inspectNode(node))));
}
