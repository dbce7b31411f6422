import { Worker, type Job } from 'bullmq';
import type { WorkerConfig } from '@so-connector/config';
import { createProvider } from '@so-connector/enrichment';
import { buildRules, parseOwnerScope } from '@so-connector/filters';
import {
  assertStarting,
  createShutdownRegistry,
  type Logger,
  type ShutdownRegistry,
} from '@so-connector/logger';
import {
  BackfillProgressStore,
  closeWhenReady,
  createEnrichQueue,
  createEventsQueue,
  createRedisConnection,
  inspectRedisDurability,
  jitterBackoff,
  QUEUE_NAMES,
  type EnrichJobData,
  type EventJobData,
} from '@so-connector/queue';
import {
  createSuperOfficeClient,
  type CallRecord,
  type SuperOfficeClient,
} from '@so-connector/superoffice-client';
import {
  ActivityCounters,
  SyncRunStore,
  WebhookHealthStore,
  type ActivityKind,
} from '@so-connector/sync-runs';
import { FingerprintStore } from './fingerprint-store';
import { ProviderResultStore } from './provider-result-store';
import type { EnrichOutcome, EventOutcome } from './outcomes';
import { SeenChanges } from './maintenance/seen-changes';
import { startMaintenance } from './maintenance/start-maintenance';
import { createWorkerMetrics, serveMetrics, type WorkerMetrics } from './metrics';
import { learnOwnAssociate } from './own-associate';
import { createEnrichProcessor } from './processors/enrich/enrich.processor';
import { createEventsProcessor } from './processors/events.processor';
import { createUdfTargets, type UdfTargetsOptions } from './udf-targets';
import { superviseWorkers } from './supervise-workers';

export interface RunningWorker {
  readonly shutdown: ShutdownRegistry;
  readonly client: SuperOfficeClient;
  readonly metrics: WorkerMetrics;
  /** The port /metrics listens on; undefined when METRICS_PORT=0. */
  readonly metricsPort: number | undefined;
}

export interface StartWorkerOptions {
  /** Every SuperOffice call (method, path, status), e.g. for the cost benchmarks. */
  readonly onSuperOfficeCall?: (call: CallRecord) => void;
  /** Back-off of an unreadable Vertical list (tests shorten it); defaults in udf-targets.ts. */
  readonly udfTargets?: Pick<UdfTargetsOptions, 'listRetryMinMs' | 'listRetryMaxMs'>;
  /**
   * The process's registry, created by `main` before start-up so a stop signal during start-up
   * closes what is open by then (start-up then ends with StartAbortedError). Default: a new one.
   */
  readonly shutdown?: ShutdownRegistry;
}

/** A failed job that will not be tried again: unrecoverable, or out of attempts. */
function isFinalFailure(job: Job | undefined, error: Error): boolean {
  return (
    error.name === 'UnrecoverableError' || (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1)
  );
}

/**
 * Wires the worker from its configuration: SuperOffice client, own associate id, provider, the
 * `so-events` and `so-enrich` BullMQ workers. Used by `main.ts` and by tests in-process.
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
  const connection = createRedisConnection(config.redis.url, {
    role: 'worker',
    connectionName: 'so-connector:worker',
  });
  connection.on('error', (error: Error) =>
    logger.warn('Redis connection error', { error: error.message }),
  );
  shutdown.register('redis', async () => {
    await connection.quit().catch(() => connection.disconnect());
  });
  inspectRedisDurability(connection)
    .then((report) => report.warnings.forEach((w) => logger.warn(w)))
    .catch(() => undefined);

  const so = config.superoffice;
  const tenant = config.tenant.contextIdentifier;
  const metrics = createWorkerMetrics(tenant);
  const client = createSuperOfficeClient({
    ...so,
    contextIdentifier: tenant,
    onCall: (call) => {
      metrics.superOfficeCall(call);
      options.onSuperOfficeCall?.(call);
    },
  });

  const own = await learnOwnAssociate({
    client,
    configured: so.ownAssociateId,
    refreshMs: so.ownAssociateRefreshMs,
    logger,
  });
  shutdown.register('own associate refresh', () => Promise.resolve(own.stop()));
  assertStarting(shutdown);

  const runs = new SyncRunStore({ redis: connection, prefix: config.queue.prefix });
  const activity = new ActivityCounters({ redis: connection, prefix: config.queue.prefix });
  const count = (kinds: ActivityKind[]) => {
    activity
      .increment(tenant, kinds)
      .catch((error: unknown) =>
        logger.debug('activity counter not written', { error: String(error) }),
      );
  };
  const enrichQueue = createEnrichQueue(connection, config.queue.prefix);
  enrichQueue.on('error', (error: Error) =>
    logger.debug('enrich queue error', { error: error.message }),
  );
  shutdown.register('enrich queue', closeQueue(enrichQueue));
  // Queue depths for /metrics; the events queue is only read here.
  const eventsQueue = createEventsQueue(connection, config.queue.prefix);
  eventsQueue.on('error', (error: Error) =>
    logger.debug('events queue error', { error: error.message }),
  );
  shutdown.register('events queue', closeQueue(eventsQueue));
  const ownerScope = parseOwnerScope(config.scopeOwnerAssociates);
  const seen = new SeenChanges(connection, config.queue.prefix);
  const provider = metrics.instrument(createProvider(config.enrichment));
  const targets = createUdfTargets(client, config.udfs, { ...options.udfTargets, logger });
  const fingerprints = new FingerprintStore(connection, config.queue.prefix);

  const eventsProcessor = createEventsProcessor({
    enrichQueue,
    runs,
    rules: buildRules(config.filters),
    context: () => ({ ownAssociateId: own.current(), ownerScope }),
    debounceMs: config.worker.debounceMs,
    maxWaitMs: config.worker.maxWaitMs,
    attempts: config.worker.attempts,
    logger,
    seen,
  });

  // The processor can pause its own worker (Retry-After), so it reaches it through this holder.
  const self: { worker?: Worker<EnrichJobData, EnrichOutcome> } = {};
  const enrichProcessor = createEnrichProcessor({
    client,
    provider,
    targets,
    fingerprints,
    providerResults: new ProviderResultStore(
      connection,
      config.queue.prefix,
      config.worker.providerResultTtlMs,
    ),
    runs,
    backfills: new BackfillProgressStore(connection, config.queue.prefix),
    enrichQueue,
    ownerScope,
    logger,
    rateLimit: async (ms) => {
      await self.worker?.rateLimit(ms);
    },
  });

  const maintenance = await startMaintenance({
    config,
    connection,
    client,
    enrichQueue,
    health: new WebhookHealthStore({ redis: connection, prefix: config.queue.prefix }),
    metrics,
    logger,
    targets,
    providerName: provider.name,
    fingerprints,
    seen,
  });
  shutdown.register('maintenance queue', closeQueue(maintenance.queue));
  shutdown.register('maintenance queue events', closeQueue(maintenance.events));
  // One step for all BullMQ workers, closed before the queues and the connection above.
  const workers = superviseWorkers(shutdown, logger, readyWithinMs);
  workers.add(maintenance.worker as Worker);
  metrics.watchQueues([eventsQueue, enrichQueue, maintenance.queue]);
  assertStarting(shutdown);

  let metricsPort: number | undefined;
  if (config.metricsPort > 0) {
    const server = await serveMetrics(metrics.registry, config.metricsPort);
    metricsPort = server.port;
    shutdown.register('metrics server', () => server.close());
    assertStarting(shutdown);
  }

  const eventsWorker = new Worker<EventJobData, EventOutcome>(QUEUE_NAMES.events, eventsProcessor, {
    connection,
    prefix: config.queue.prefix,
    concurrency: config.worker.concurrency,
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: config.worker.lockDurationMs,
  });
  const enrichWorker = new Worker<EnrichJobData, EnrichOutcome>(
    QUEUE_NAMES.enrich,
    enrichProcessor,
    {
      connection,
      prefix: config.queue.prefix,
      concurrency: config.worker.concurrency,
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.lockDurationMs,
      // A queue-level limiter makes worker.rateLimit() (Retry-After) pause every worker process,
      // not only this one; it also caps enrichments per second across processes.
      limiter: { max: so.rateLimitPerSecond, duration: 1000 },
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          jitterBackoff(attemptsMade, config.worker.backoffMs, config.worker.backoffMaxMs),
      },
    },
  );
  self.worker = enrichWorker;
  eventsWorker.on('completed', (_job, outcome: EventOutcome) => {
    metrics.eventHandled(tenant, outcome);
    count(outcome.outcome === 'skipped' ? ['events', 'skips'] : ['events']);
  });
  enrichWorker.on('completed', (job: Job<EnrichJobData>, outcome: EnrichOutcome) => {
    metrics.enrichmentFinished(tenant, outcome, job.data.receivedAt);
    count(outcome.outcome === 'written' ? ['enrichments', 'writes'] : ['enrichments']);
  });
  enrichWorker.on('failed', (job: Job<EnrichJobData> | undefined, error: Error) => {
    const final = isFinalFailure(job, error);
    metrics.enrichmentFailed(tenant, final);
    if (!final) return;
    count(['failures']);
    // The handled event's change was not enriched: the next sweep must not count it as seen.
    if (job)
      seen
        .forget(job.data.tenant, job.data.entity, job.data.recordId)
        .catch((e: unknown) => logger.warn('seen marker not removed', { error: String(e) }));
    logger.error('enrichment failed', {
      tenant: job?.data.tenant ?? tenant,
      entity: job?.data.entity,
      recordId: job?.data.recordId,
      reason: error.message,
    });
  });
  eventsWorker.on('failed', (job: Job<EventJobData> | undefined, error: Error) => {
    if (isFinalFailure(job, error)) count(['failures']);
  });
  workers.add(eventsWorker as Worker);
  workers.add(enrichWorker as Worker);
  await workers.ready();
  assertStarting(shutdown);
  logger.info('worker started', {
    tenant,
    concurrency: config.worker.concurrency,
    provider: config.enrichment.provider,
    metricsPort,
    watchdogIntervalMs: config.maintenance.watchdogIntervalMs,
    reconcileIntervalMs: config.maintenance.reconcileIntervalMs,
  });
  return { shutdown, client, metrics, metricsPort };
}
