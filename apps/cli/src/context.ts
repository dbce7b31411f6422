import {
  loadCliConfig,
  requireSection,
  type CliConfig,
  type SuperOfficeConfig,
} from '@so-connector/config';
import {
  closeWhenReady,
  createEnrichQueue,
  createEventsQueue,
  createMaintenanceQueue,
  createRedisConnection,
  QUEUE_NAMES,
  type QueueName,
} from '@so-connector/queue';
import {
  fixedTenantUrl,
  RefreshTokenAuth,
  statusTenantUrl,
  SuperOfficeClient,
  tenantStatusUrlFor,
  tokenUrlFor,
  type TenantUrlResolver,
} from '@so-connector/superoffice-client';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CliError, EXIT } from './errors';
import { Output, type CliIo } from './io';

/** The pieces of a SuperOffice connection; `doctor` and `whoami` check them one by one. */
export interface SuperOfficeHandle {
  readonly settings: SuperOfficeConfig;
  readonly auth: RefreshTokenAuth;
  readonly tenantUrl: TenantUrlResolver;
  readonly client: SuperOfficeClient;
}

/** Redis host and port, never the password a URL may carry. */
export function redisLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'the configured Redis';
  }
}

/** The SuperOffice client of one tenant, composed as the worker's is, with its parts kept. */
export function superOfficeHandle(settings: SuperOfficeConfig, tenant: string): SuperOfficeHandle {
  const auth = new RefreshTokenAuth({
    tokenUrl: settings.tokenUrl ?? tokenUrlFor(settings.environment),
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    refreshToken: settings.refreshToken,
    redirectUri: settings.redirectUri,
  });
  const tenantUrl = settings.apiBaseUrl
    ? fixedTenantUrl(settings.apiBaseUrl)
    : statusTenantUrl({ statusUrl: tenantStatusUrlFor(settings.environment, tenant) });
  const client = new SuperOfficeClient({
    auth,
    tenant: tenantUrl,
    udfWriteMode: settings.udfWriteMode,
  });
  return { settings, auth, tenantUrl, client };
}

/** How long a queue may take to finish connecting before it is closed (closeWhenReady). */
export const CLOSE_READY_WITHIN_MS = 3000;

/**
 * What a command works with, created on first use and closed once at the end: the
 * configuration, one Redis connection, the queues, the SuperOffice client.
 */
export class CliContext {
  readonly out: Output;
  private loaded: CliConfig | undefined;
  private connection: Promise<Redis> | undefined;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly closers: (() => Promise<void>)[] = [];
  private superoffice: SuperOfficeHandle | undefined;

  constructor(
    readonly io: CliIo,
    json: boolean,
  ) {
    this.out = new Output(io, json);
  }

  /** The configuration (Redis, queue, tenant); throws ConfigError when those are invalid. */
  config(): CliConfig {
    this.loaded ??= loadCliConfig(this.io.env);
    return this.loaded;
  }

  get tenant(): string {
    return this.config().tenant.contextIdentifier;
  }

  /** A connected Redis, or a CliError naming the host within a few seconds. */
  redis(timeoutMs = 5000): Promise<Redis> {
    this.connection ??= connectRedis(this.config().redis.url, timeoutMs);
    return this.connection;
  }

  async queue(name: QueueName): Promise<Queue> {
    const existing = this.queues.get(name);
    if (existing) return existing;
    const redis = await this.redis();
    const prefix = this.config().queue.prefix;
    const queue: Queue =
      name === QUEUE_NAMES.events
        ? (createEventsQueue(redis, prefix) as Queue)
        : name === QUEUE_NAMES.enrich
          ? (createEnrichQueue(redis, prefix) as Queue)
          : (createMaintenanceQueue(redis, prefix) as Queue);
    this.queues.set(name, queue);
    return queue;
  }

  superOffice(): SuperOfficeHandle {
    this.superoffice ??= superOfficeHandle(requireSection(this.config().superoffice), this.tenant);
    return this.superoffice;
  }

  /** Runs `close` at the end of the command (before the Redis connection closes). */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    // closeWhenReady: a queue closed while its connection still initialises makes BullMQ emit an
    // unhandled error (a command stopped by SIGTERM right after it began).
    for (const queue of this.queues.values())
      await closeWhenReady(queue, CLOSE_READY_WITHIN_MS).catch(() => undefined);
    if (this.connection) {
      const redis = await this.connection.catch(() => undefined);
      if (redis) await redis.quit().catch(() => redis.disconnect());
    }
  }
}

/**
 * Connects with the worker role (BullMQ's QueueEvents needs `maxRetriesPerRequest: null`) but
 * gives up after `timeoutMs`: an operator wants "Redis is down", not a command that hangs.
 */
async function connectRedis(url: string, timeoutMs: number): Promise<Redis> {
  const redis = createRedisConnection(url, { role: 'worker', connectionName: 'so-connector:cli' });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  const ready = await new Promise<boolean>((resolve) => {
    if (redis.status === 'ready') return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (ready) return redis;
  redis.disconnect();
  throw new CliError(
    `Redis at ${redisLocation(url)} did not answer within ${timeoutMs} ms${lastError ? ` (${lastError.message})` : ''}; check REDIS_URL and that Redis runs`,
    EXIT.redis,
  );
}
