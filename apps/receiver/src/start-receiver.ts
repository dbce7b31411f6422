import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceiverConfig } from '@so-connector/config';
import type { Cluster, Redis } from 'ioredis';
import {
  closeRedis,
  closeWhenReady,
  createEventsQueues,
  partitionCountProblem,
  watchPartitionCount,
  createConnection,
  diagnoseRedis,
  inspectRedisDurability,
} from '@so-connector/queue';
import { LastEventRecorder, notingLastEvents } from './admin/last-events';
import { registryTenants } from './admin/tenant-scope';
import { wireAdmin } from './admin/wire-admin';
import type { OnboardingConfig } from './oauth/onboarding-settings';
import { wireOnboarding } from './oauth/wire-onboarding';
import { createApp } from './app';
import {
  assertStarting,
  createShutdownRegistry,
  type Logger,
  type ShutdownRegistry,
} from '@so-connector/logger';
import type { TenantRegistry } from '@so-connector/tenants';
import { openReceiverRegistry, refuseStoredTenantsWithoutKey } from './tenant-registry';
import { createReceiverMetrics } from './metrics';
import { DiskSpool } from './spool/disk-spool';
import { startSpoolDrainer } from './spool/spool-drainer';
import { createEventAcceptor } from './webhook/accept-event';
import { createEventEnqueuer } from './webhook/event-enqueuer';
import { enqueueTarget } from './webhook/enqueue-target';
import { withTimeout } from './with-timeout';

/**
 * A webhook request waits this long for Redis before its event goes to the disk spool; start-up
 * waits as long for the connection (and then starts, spooling).
 */
export const REDIS_TIMEOUT_MS = 2000;
/** How often a receiver compares its QUEUE_PARTITIONS with what the workers serve. */
const PARTITION_CHECK_INTERVAL_MS = 60_000;

/** Waits up to `ms` for the connection to be ready; false when it is not by then. */
async function readyWithin(redis: Redis | Cluster, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  let timer: NodeJS.Timeout | undefined;
  let onReady: (() => void) | undefined;
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => {
      onReady = () => resolve(true);
      redis.once('ready', onReady);
    }),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  if (onReady) redis.off('ready', onReady);
  return ready;
}

export interface RunningReceiver {
  readonly port: number;
  readonly server: Server;
  readonly shutdown: ShutdownRegistry;
}

export interface StartReceiverOptions {
  /**
   * The process's registry, created by `main` before start-up so a stop signal during start-up
   * closes what is open by then (start-up then ends with StartAbortedError). Default: a new one.
   */
  readonly shutdown?: ShutdownRegistry;
  /**
   * The tenants this receiver serves, looked up on every request (a change in the registry is
   * served from the next request on). The caller owns it and closes it. Default: the registry of
   * the configuration (the environment's tenant, TENANTS_FILE, and the store when
   * TENANT_SECRETS_KEY is set; `tenant-registry.ts`), created here and closed on stop.
   */
  readonly tenants?: TenantRegistry | undefined;
  /** The variables TENANTS_FILE's `env:NAME` values read (main passes the process environment; default none). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Onboarding's settings (`onboardingConfigFromEnv`); undefined = no "Connect a tenant". */
  readonly onboarding?: OnboardingConfig;
}

/**
 * Wires the receiver from its configuration and starts listening. Used by `main.ts` and by tests
 * that want the whole receiver in-process. Each component is registered for shutdown as soon as
 * it exists, and start-up checks the registry after each wait, so a stop at any moment closes
 * exactly what is open.
 */
export async function startReceiver(
  config: ReceiverConfig,
  logger: Logger,
  options: StartReceiverOptions = {},
): Promise<RunningReceiver> {
  const shutdown =
    options.shutdown ?? createShutdownRegistry(logger, config.http.shutdownTimeoutMs);

  const redis = createConnection(config.redis, {
    role: 'producer',
    commandTimeoutMs: REDIS_TIMEOUT_MS,
    connectionName: 'so-connector:receiver',
  });
  let redisDown = false;
  redis.on('error', (error: Error) => {
    if (!redisDown)
      logger.warn('Redis connection error; events go to the disk spool until it is back', {
        error: error.message,
      });
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('Redis connection is back');
    redisDown = false;
    inspectRedisDurability(redis)
      .then((report) => report.warnings.forEach((warning) => logger.warn(warning)))
      .catch((error: Error) => logger.warn(error.message));
  });
  shutdown.register('redis', async () => {
    await closeRedis(redis);
  });

  if (!(await readyWithin(redis, REDIS_TIMEOUT_MS))) {
    // One line that names the variable to check (a wrong REDIS_SENTINEL_NAME, node list or CA),
    // which ioredis' own retry errors do not.
    const problem = await diagnoseRedis(config.redis, REDIS_TIMEOUT_MS).catch(
      (error: Error) => error.message,
    );
    logger.error(
      `Redis cannot be used at start-up: ${problem ?? `not ready within ${REDIS_TIMEOUT_MS} ms`}; accepted events go to the disk spool until it can`,
      { spoolDir: config.spool.dir },
    );
  }
  assertStarting(shutdown);

  // Its own registry only once Redis had its chance: with stored tenants and no key, it must not
  // start (what is open by then is closed).
  if (options.tenants === undefined)
    await refuseStoredTenantsWithoutKey(config, redis, REDIS_TIMEOUT_MS, logger).catch(
      async (error: unknown) => {
        await shutdown.shutdown('start-up refused');
        throw error;
      },
    );
  const tenants =
    options.tenants ?? (await openReceiverRegistry(config, options.env ?? {}, shutdown, logger));

  // One `so-events` queue per partition (QUEUE_PARTITIONS); an event goes to its tenant's.
  const queue = createEventsQueues(redis, config.queue.prefix, config.queue.partitions);
  for (const partition of queue.all)
    partition.on('error', (error: Error) =>
      logger.debug('events queue error', { error: error.message }),
    );
  shutdown.register('events queue', async () => {
    // Half the deadline for its connection to come up; closing before it has risks BullMQ's
    // unhandled "Connection is closed" (closeWhenReady).
    await Promise.all(queue.all.map((q) => closeWhenReady(q, config.http.shutdownTimeoutMs / 2)));
  });

  const spool = await DiskSpool.open(config.spool.dir);
  assertStarting(shutdown);
  if (spool.depth() > 0)
    logger.warn('events left in the disk spool by a previous run will be queued', {
      depth: spool.depth(),
      dir: spool.dir,
    });

  const served = tenants;
  const metrics = createReceiverMetrics(() => spool.depth(), {
    isServed: (ctx) => served.get(ctx) !== undefined,
  });
  // The worker refuses to start with a QUEUE_PARTITIONS other than the one the queues were served
  // with (partition-count.ts); a receiver keeps accepting (its events wait in Redis, not lost) but
  // logs an error and sets so_receiver_queue_partitions_mismatch, at start and every minute. Not
  // /readyz: a fresh deployment's receivers would be out of rotation until a worker has started.
  const partitionWatch = watchPartitionCount({
    check: () => partitionCountProblem(redis, config.queue.prefix, config.queue.partitions),
    intervalMs: PARTITION_CHECK_INTERVAL_MS,
    report: (problem) => {
      metrics.partitionCountMismatch(problem !== undefined);
      if (problem !== undefined) logger.error(problem);
      else if (config.queue.partitions > 1)
        logger.info('QUEUE_PARTITIONS is the count the workers serve', {
          partitions: config.queue.partitions,
        });
    },
  });
  shutdown.register('partition count check', () => Promise.resolve(partitionWatch.stop()));
  // A removed tenant's series go with it: the label set stays bounded by the registry.
  let tenantCount = tenants.list().length;
  const unsubscribe = tenants.on('change', ({ removed }) => {
    metrics.forgetTenants(removed);
    tenantCount = tenants.list().length;
  });
  shutdown.register('tenant metrics', () => Promise.resolve(unsubscribe()));
  const target = enqueueTarget(config, { queue, redis }, REDIS_TIMEOUT_MS, shutdown, logger);
  // Its own connection (replica acks) is ready before the first webhook, as the shared one is.
  if (target.redis !== redis) await readyWithin(target.redis, REDIS_TIMEOUT_MS);
  assertStarting(shutdown);
  const queued = createEventEnqueuer({
    ...target,
    dedupWindowSeconds: config.queue.dedupWindowSeconds,
    keepCompleted: config.queue.keepCompleted,
    // The replicas' acknowledgement is part of the enqueue: the whole takes at most both bounds.
    timeoutMs:
      REDIS_TIMEOUT_MS +
      (config.redis.replicaAcks.replicas > 0 ? config.redis.replicaAcks.timeoutMs : 0),
    tenantCount: () => tenantCount,
    replicaAcks: config.redis.replicaAcks,
  });
  shutdown.register('event enqueuer', () => Promise.resolve(queued.close()));
  // Each tenant's last event for /admin/tenants: noted in memory, written once a second; a
  // removed tenant's goes with it.
  const lastEvents = new LastEventRecorder(redis, config.queue.prefix, 1000, tenants);
  shutdown.register('last events', () => lastEvents.close().catch(() => undefined));
  const enqueuer = notingLastEvents(queued, lastEvents);
  const drainer = startSpoolDrainer({
    spool,
    enqueuer,
    logger,
    onDrained: (count) => metrics.spoolDrained(count),
  });
  shutdown.register('spool drainer', () => drainer.stop());

  const app = createApp({
    tenants,
    defaultTenant: config.tenant?.contextIdentifier,
    allowUnsigned: config.webhook.allowUnsigned,
    accept: createEventAcceptor({ enqueuer, spool, logger }),
    health: {
      redisReady: async () =>
        redis.status === 'ready' &&
        (await withTimeout(redis.ping(), REDIS_TIMEOUT_MS, () => new Error('ping timed out')).catch(
          () => '',
        )) === 'PONG',
      spoolWritable: () => spool.writable(),
    },
    metrics,
    logger,
    trustProxy: config.http.trustProxy,
    admin: wireAdmin(
      config,
      logger,
      shutdown,
      registryTenants(tenants, config.tenant?.contextIdentifier),
      {
        onboarding: wireOnboarding(config, options.onboarding, logger, shutdown, (ctx) => {
          const found = tenants.find(ctx);
          const source = found && tenants.sourceOf(found.contextIdentifier);
          return source === 'environment' || source === 'file' ? source : undefined;
        }),
      },
    ),
  });

  // A body that trickles in (slowloris) is cut with 408 after REQUEST_TIMEOUT_MS: SuperOffice
  // itself gives up after ~5 s. Node checks the deadline every connectionsCheckingInterval.
  const requestTimeout = config.http.requestTimeoutMs;
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 10_000),
      connectionsCheckingInterval: Math.min(1000, requestTimeout),
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.http.port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // SuperOffice holds a connection per delivery; keep-alive beyond its retry window is pointless.
  server.keepAliveTimeout = 5000;
  // A client that keeps its keep-alive connection busy (SuperOffice delivering a burst) would hold
  // server.close() until the deadline: once stopping, each response closes its connection.
  server.on('request', (_req, res: ServerResponse) => {
    if (shutdown.stopping) res.shouldKeepAlive = false;
  });
  shutdown.register('http server', () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    return closed;
  });
  assertStarting(shutdown);

  const port = (server.address() as AddressInfo).port;
  logger.info('receiver listening', {
    port,
    tenants: tenants.list().length,
    spoolDir: config.spool.dir,
  });
  return { port, server, shutdown };
}
