import { UnrecoverableError, Worker, type Job, type Processor } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { WorkerConfig } from '@so-connector/config';
import type { Logger } from '@so-connector/logger';
import {
  jitterBackoff,
  partitionPrefixes,
  QUEUE_NAMES,
  type EnrichJobData,
  type EventJobData,
} from '@so-connector/queue';
import type { ActivityCounters, ActivityKind } from '@so-connector/sync-runs';
import type { SeenChanges } from './maintenance/seen-changes';
import { UNKNOWN_TENANT_LABEL, type WorkerMetrics } from './metrics';
import type { EnrichOutcome, EventOutcome } from './outcomes';

export interface QueueWorkersDeps {
  readonly config: WorkerConfig;
  readonly connection: Redis | Cluster;
  readonly metrics: WorkerMetrics;
  readonly activity: ActivityCounters;
  readonly seen: SeenChanges;
  readonly logger: Logger;
  readonly eventsProcessor: Processor<EventJobData, EventOutcome>;
  readonly enrichProcessor: Processor<EnrichJobData, EnrichOutcome>;
}

/** A failed job that will not be tried again: unrecoverable, or out of attempts. */
function isFinalFailure(job: Job | undefined, error: Error): boolean {
  return (
    error instanceof UnrecoverableError ||
    error.name === 'UnrecoverableError' ||
    (job?.attemptsMade ?? 0) >= (job?.opts.attempts ?? 1)
  );
}

/**
 * The `so-events` and `so-enrich` BullMQ workers of this process, with their metrics, activity
 * counters and failure logs, each under the job's own tenant (`job.data.tenant`).
 *
 * One worker per queue and partition (QUEUE_PARTITIONS): 2 × partitions, whatever the number of
 * tenants. A so-enrich worker has WORKER_CONCURRENCY slots and its own rate limiter (BullMQ keeps a
 * limiter per queue), so a partition runs as fast as the one queue did; a tenant is in one
 * partition, so its enrichments are still capped at SO_RATE_LIMIT_PER_SECOND (docs/architecture.md
 * "Partitions"). A so-events worker has EVENTS_CONCURRENCY slots: its jobs call nothing outside
 * Redis, and those in flight together share one sync-run write (docs/architecture.md "The skip
 * path").
 */
export function createQueueWorkers(deps: QueueWorkersDeps): {
  events: Worker<EventJobData, EventOutcome>[];
  enrich: Worker<EnrichJobData, EnrichOutcome>[];
} {
  const { config, connection, metrics, logger } = deps;
  // A failed job BullMQ could not hand over is labelled the environment's tenant, else `unknown`.
  const fallbackTenant = config.tenant?.contextIdentifier ?? UNKNOWN_TENANT_LABEL;
  const count = (tenant: string, kinds: ActivityKind[]) => {
    deps.activity
      .increment(tenant, kinds)
      .catch((error: unknown) =>
        logger.debug('activity counter not written', { error: String(error) }),
      );
  };
  const common = {
    connection,
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: config.worker.lockDurationMs,
  };
  const prefixes = partitionPrefixes(config.queue.prefix, config.queue.partitions);
  const events = prefixes.map(
    (prefix) =>
      new Worker<EventJobData, EventOutcome>(QUEUE_NAMES.events, deps.eventsProcessor, {
        ...common,
        concurrency: config.worker.eventsConcurrency,
        prefix,
      }),
  );
  const enrich = prefixes.map(
    (prefix) =>
      new Worker<EnrichJobData, EnrichOutcome>(QUEUE_NAMES.enrich, deps.enrichProcessor, {
        ...common,
        concurrency: config.worker.concurrency,
        prefix,
        // Caps a partition's enrichments per second across every worker process (a Retry-After
        // pauses only the job's tenant: tenant-pause.ts).
        limiter: { max: config.superoffice.rateLimitPerSecond, duration: 1000 },
        settings: {
          backoffStrategy: (attemptsMade: number) =>
            jitterBackoff(attemptsMade, config.worker.backoffMs, config.worker.backoffMaxMs),
        },
      }),
  );

  for (const worker of events) listenEvents(worker);
  for (const worker of enrich) listenEnrich(worker);
  return { events, enrich };

  function listenEvents(worker: Worker<EventJobData, EventOutcome>): void {
    worker.on('completed', (job: Job<EventJobData>, outcome: EventOutcome) => {
      metrics.eventHandled(job.data.tenant, outcome);
      count(job.data.tenant, outcome.outcome === 'skipped' ? ['events', 'skips'] : ['events']);
    });
    worker.on('failed', (job: Job<EventJobData> | undefined, error: Error) => {
      if (!isFinalFailure(job, error)) return;
      // Without the job's tenant or an environment one there is no tenant to count it for (the
      // `unknown` label is the metrics'; in the activity counters it would read as a tenant).
      const tenant = job?.data.tenant ?? config.tenant?.contextIdentifier;
      if (tenant !== undefined) count(tenant, ['failures']);
    });
  }

  function listenEnrich(worker: Worker<EnrichJobData, EnrichOutcome>): void {
    worker.on('completed', (job: Job<EnrichJobData>, outcome: EnrichOutcome) => {
      metrics.enrichmentFinished(job.data.tenant, outcome, job.data.receivedAt);
      count(
        job.data.tenant,
        outcome.outcome === 'written' ? ['enrichments', 'writes'] : ['enrichments'],
      );
    });
    worker.on('failed', (job: Job<EnrichJobData> | undefined, error: Error) => {
      const tenant = job?.data.tenant ?? fallbackTenant;
      const final = isFinalFailure(job, error);
      metrics.enrichmentFailed(tenant, final);
      if (!final) return;
      const counted = job?.data.tenant ?? config.tenant?.contextIdentifier;
      if (counted !== undefined) count(counted, ['failures']);
      // The handled event's change was not enriched: the next sweep must not count it as seen.
      if (job)
        deps.seen
          .forget(job.data.tenant, job.data.entity, job.data.recordId)
          .catch((e: unknown) => logger.warn('seen marker not removed', { error: String(e) }));
      logger.error('enrichment failed', {
        tenant,
        entity: job?.data.entity,
        recordId: job?.data.recordId,
        reason: error.message,
      });
    });
  }
}
