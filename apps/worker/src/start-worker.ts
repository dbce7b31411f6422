import type { Worker } from 'bullmq';
import type { WorkerConfig } from '@so-connector/config';
import {
  assertStarting,
  createShutdownRegistry,
  type Logger,
  type ShutdownRegistry,
} from '@so-connector/logger';
import {
  closeRedis,
  closeWhenReady,
  createEnrichQueues,
  createEventsQueues,
  createConnection,
  inspectRedisDurability,
  reportUnusableRedis,
  tenantKeyPrefix,
} from '@so-connector/queue';
import type { CallRecord, SuperOfficeClient } from '@so-connector/superoffice-client';
import { ActivityCounters, SyncRunStore, WebhookHealthStore } from '@so-connector/sync-runs';
import type { TenantRegistry } from '@so-connector/tenants';
import { FingerprintStore } from './fingerprint-store';
import { guardPartitionCount } from './partition-count-guard';
import { SeenChanges } from './maintenance/seen-changes';
import { startMaintenance } from './maintenance/start-maintenance';
import {
  createWorkerMetrics,
  serveMetrics,
  UNKNOWN_TENANT_LABEL,
  type WorkerMetrics,
} from './metrics';
import { createQueueWorkers } from './queue-workers';
import { createStageProcessors } from './stage-processors';
import { superviseWorkers } from './supervise-workers';
import { serveTenants, type ServedTenants } from './tenants/serve-tenants';
import { TenantPauses } from './tenants/tenant-pause';
import type { UdfTargetsOptions } from './udf-targets';

/** How long Redis has to get ready before the worker logs why it cannot be used. */
const REDIS_DIAGNOSIS_AFTER_MS = 3000;

export interface RunningWorker {
  readonly shutdown: ShutdownRegistry;
  /**
   * The environment tenant's client (SO_CONTEXT_IDENTIFIER); undefined when the registry does not
   * hold that tenant.
   */
  readonly client: SuperOfficeClient | undefined;
  readonly metrics: WorkerMetrics;
  /** The port /metrics listens on; undefined when METRICS_PORT=0. */
  readonly metricsPort: number | undefined;
  /** The per-tenant runtimes and the re-consent marks. */
  readonly tenants: ServedTenants;
}

export interface StartWorkerOptions {
  /** Every SuperOffice call (method, path, status) and its tenant, e.g. for the cost benchmarks. */
  readonly onSuperOfficeCall?: (call: CallRecord, tenant: string) => void;
  /** Back-off of an unreadable Vertical list (tests shorten it); defaults in udf-targets.ts. */
  readonly udfTargets?: Pick<UdfTargetsOptions, 'listRetryMinMs' | 'listRetryMaxMs'>;
  /**
   * The process's registry, created by `main` before start-up so a stop signal during start-up
   * closes what is open by then (start-up then ends with StartAbortedError). Default: a new one.
   */
  readonly shutdown?: ShutdownRegistry;
  /**
   * The tenants this worker serves; the caller keeps it and closes it. Default: the registry of
   * the configuration (the environment's tenant, TENANTS_FILE and the store), closed on stop.
   */
  readonly tenants?: TenantRegistry;
  /** The variables TENANTS_FILE's `env:NAME` values read (main passes the process environment; default none). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long a job of a tenant that needs re-consent waits before it looks again (default 10 min). */
  readonly reconsentDeferMs?: number;
  /** A tenant's relevant events a minute above which its enrichments get a flood's priority. */
  readonly quietEventsPerMinute?: number;
}

/**
 * Wires the worker from its configuration: the tenant registry and per-tenant runtimes, the
 * provider, the `so-events` and `so-enrich` BullMQ workers. Used by `main.ts` and by tests
 * in-process.
 *
 * Every component is registered with the shutdown registry as soon as it exists, and start-up
 * checks the registry after each wait (`assertStarting`), so a stop at any moment closes exactly
 * what is open. The BullMQ workers come last, once what their jobs need is up; "worker started" is
 * logged when their connections are ready.
 */
export async function startWorker(
  config: WorkerConfig,
  logger: Logger,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const shutdown =
    options.shutdown ?? createShutdownRegistry(logger, config.worker.shutdownTimeoutMs);
  // Half the deadline for a just-created BullMQ component to connect before its close (closeWhenReady).
  const readyWithinMs = config.worker.shutdownTimeoutMs / 2;
  const closeQueue = (queue: Parameters<typeof closeWhenReady>[0]) => async () => {
    await closeWhenReady(queue, readyWithinMs);
  };
  const connection = createConnection(config.redis, {
    role: 'worker',
    connectionName: 'so-connector:worker',
  });
  connection.on('error', (error: Error) =>
    logger.warn('Redis connection error', { error: error.message }),
  );
  // ioredis' retry errors do not say which variable is wrong (REDIS_SENTINEL_NAME, the node list,
  // the CA): when Redis is not ready in time, one line that does.
  const stopDiagnosis = reportUnusableRedis(
    connection,
    config.redis,
    (problem) => logger.error(`Redis cannot be used: ${problem}; the worker waits for it`),
    REDIS_DIAGNOSIS_AFTER_MS,
  );
  shutdown.register('redis', async () => {
    stopDiagnosis();
    await closeRedis(connection);
  });
  inspectRedisDurability(connection)
    .then((report) => report.warnings.forEach((w) => logger.warn(w)))
    // A Cluster not ready within the check's bound: say that the settings were not checked.
    .catch((error: Error) => logger.warn(error.message));

  const prefix = config.queue.prefix;
  // A QUEUE_PARTITIONS that would strand work: refuse to start; checked again while running.
  await guardPartitionCount({
    connection,
    prefix,
    partitions: config.queue.partitions,
    logger,
    shutdown,
  });
  assertStarting(shutdown);
  // Unlabelled calls (none tenant-less today) count as the environment's tenant, else `unknown`.
  const metrics = createWorkerMetrics(config.tenant?.contextIdentifier ?? UNKNOWN_TENANT_LABEL);
  // One queue per partition (QUEUE_PARTITIONS; one = the queues of before): a tenant's jobs go to
  // its partition's.
  const enrichQueue = createEnrichQueues(connection, prefix, config.queue.partitions);
  const eventsQueue = createEventsQueues(connection, prefix, config.queue.partitions);
  for (const [name, queue] of [
    ['enrich', enrichQueue],
    ['events', eventsQueue],
  ] as const) {
    for (const partition of queue.all)
      partition.on('error', (error: Error) =>
        logger.debug(`${name} queue error`, { error: error.message }),
      );
    shutdown.register(`${name} queue`, async () => {
      await Promise.all(queue.all.map((q) => closeQueue(q)()));
    });
  }

  const tenants = await serveTenants({
    config,
    connection,
    shutdown,
    metrics,
    logger,
    queues: [...eventsQueue.all, ...enrichQueue.all],
    ...(options.tenants ? { registry: options.tenants } : {}),
    env: options.env ?? {},
    ...(options.udfTargets ? { udfTargets: options.udfTargets } : {}),
    ...(options.onSuperOfficeCall ? { onSuperOfficeCall: options.onSuperOfficeCall } : {}),
  });
  // How many tenants share the queues (fair priorities apply from two on), kept current; only
  // served tenants label metrics, and a removed tenant's series go with it.
  let tenantCount = tenants.registry.list().length;
  metrics.serveOnly((ctx) => tenants.registry.get(ctx) !== undefined);
  const forgetCount = tenants.registry.on('change', ({ removed }) => {
    tenantCount = tenants.registry.list().length;
    if (removed.length)
      metrics
        .forgetTenants(removed)
        .catch((error: unknown) =>
          logger.debug('metrics of removed tenants not dropped', { error: String(error) }),
        );
  });
  shutdown.register('tenant count', () => Promise.resolve(forgetCount()));
  // The environment tenant is built now: start-up fails, as before the registry, when its own
  // associate cannot be learned. Without one (TENANTS_FILE/store only) each tenant is built lazily.
  const home = config.tenant && tenants.registry.get(config.tenant.contextIdentifier);
  const homeRuntime = home ? await tenants.runtimes.warm(home) : undefined;
  assertStarting(shutdown);

  // Each tenant's own keys are in its partition's slot (tenant-keys.ts; moved there at start by
  // guardPartitionCount when the layout differs).
  const tenantPrefix = tenantKeyPrefix(prefix, config.queue.partitions);
  const runs = new SyncRunStore({ redis: connection, prefix: tenantPrefix, ...config.syncRuns });
  // One write-behind batcher: the facts, seen markers and activity counters of concurrent jobs
  // share round trips (each job still completes only once its own writes are in Redis).
  const runWriter = runs.batcher();
  // Steps run in reverse: after the BullMQ workers (registered later), before the connection.
  shutdown.register('sync-run writes', () => runWriter.idle());
  const seen = new SeenChanges(connection, tenantPrefix);
  const fingerprints = new FingerprintStore(connection, tenantPrefix);
  // Retry-After pauses the job's tenant only: its enrichments and maintenance wait, others run.
  const pauses = new TenantPauses(connection, prefix, tenantPrefix);
  const tenantJobs = {
    runtimes: tenants.runtimes,
    reconsent: tenants.reconsent,
    deferMs: options.reconsentDeferMs ?? 10 * 60_000,
    pauses,
    logger,
  };
  const { eventsProcessor, enrichProcessor } = createStageProcessors({
    config,
    connection,
    enrichQueue,
    runWriter,
    seen,
    fingerprints,
    pauses,
    tenantJobs,
    logger,
    tenantCount: () => tenantCount,
    quietEventsPerMinute: options.quietEventsPerMinute,
  });

  // One step for all BullMQ workers, closed before the queues and the connection above.
  const workers = superviseWorkers(shutdown, logger, readyWithinMs);
  const maintenance = await startMaintenance({
    config,
    connection,
    enrichQueue,
    eventsQueue,
    health: new WebhookHealthStore({ redis: connection, prefix: tenantPrefix }),
    metrics,
    logger,
    fingerprints,
    seen,
    registry: tenants.registry,
    tenantJobs,
    tenantCount: () => tenantCount,
  });
  shutdown.register('maintenance queue', closeQueue(maintenance.queue));
  shutdown.register('maintenance schedules', () => Promise.resolve(maintenance.stop()));
  workers.add(maintenance.worker as Worker);
  metrics.watchQueues([...eventsQueue.all, ...enrichQueue.all, maintenance.queue]);
  assertStarting(shutdown);

  let metricsPort: number | undefined;
  if (config.metricsPort > 0) {
    const server = await serveMetrics(metrics.registry, config.metricsPort);
    metricsPort = server.port;
    shutdown.register('metrics server', () => server.close());
    assertStarting(shutdown);
  }

  const queueWorkers = createQueueWorkers({
    config,
    connection,
    metrics,
    activity: new ActivityCounters({ redis: connection, prefix: tenantPrefix, writer: runWriter }),
    seen,
    logger,
    eventsProcessor,
    enrichProcessor,
  });
  for (const worker of [...queueWorkers.events, ...queueWorkers.enrich])
    workers.add(worker as Worker);
  await workers.ready();
  assertStarting(shutdown);
  logger.info('worker started', {
    tenant: config.tenant?.contextIdentifier,
    tenants: tenants.registry.list().length,
    concurrency: config.worker.concurrency,
    eventsConcurrency: config.worker.eventsConcurrency,
    partitions: config.queue.partitions,
    provider: config.enrichment.provider,
    metricsPort,
    watchdogIntervalMs: config.maintenance.watchdogIntervalMs,
    reconcileIntervalMs: config.maintenance.reconcileIntervalMs,
  });
  return { shutdown, client: homeRuntime?.client, metrics, metricsPort, tenants };
}
