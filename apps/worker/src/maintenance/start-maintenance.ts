import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '@so-connector/config';
import type { Logger } from '@so-connector/logger';
import {
  BackfillProgressStore,
  createEventsQueue,
  createMaintenanceQueue,
  MAINTENANCE_JOB_NAMES,
  type EnrichJobData,
  type MaintenanceJobData,
} from '@so-connector/queue';
import type { SuperOfficeClient } from '@so-connector/superoffice-client';
import type { WebhookHealthStore } from '@so-connector/sync-runs';
import type { FingerprintStore } from '../fingerprint-store';
import type { WorkerMetrics } from '../metrics';
import type { UdfTargets } from '../udf-targets';
import { createBackfill } from './backfill';
import { createReconcile } from './reconcile';
import type { SeenChanges } from './seen-changes';
import { createWatchdog } from './watchdog';

export interface MaintenanceDeps {
  readonly config: WorkerConfig;
  readonly connection: Redis;
  readonly client: SuperOfficeClient;
  readonly enrichQueue: Queue<EnrichJobData>;
  readonly health: WebhookHealthStore;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  /** What the sweep needs to decide from a query row (the enrich processor's own instances). */
  readonly targets: UdfTargets;
  readonly providerName: string;
  readonly fingerprints: FingerprintStore;
  readonly seen: SeenChanges;
}

export interface RunningMaintenance {
  readonly queue: Queue<MaintenanceJobData>;
  readonly worker: Worker<MaintenanceJobData, unknown>;
  /** `so-events`, read by the sweep (its backlog); closed with the queue. */
  readonly events: Queue;
}

const KEEP = { removeOnComplete: { count: 200 }, removeOnFail: { count: 500 } } as const;

/**
 * `so-maintenance`: the webhook watchdog and the reconciliation sweep as BullMQ job schedulers
 * (every worker process upserts the same two schedulers, so however many run, each fires once per
 * period), plus on-demand sweeps from the watchdog and `so-connector replay`. An interval of 0
 * removes the scheduler.
 */
export async function startMaintenance(deps: MaintenanceDeps): Promise<RunningMaintenance> {
  const { config, logger } = deps;
  const tenant = config.tenant.contextIdentifier;
  const queue = createMaintenanceQueue(deps.connection, config.queue.prefix);
  queue.on('error', (error: Error) =>
    logger.debug('maintenance queue error', { error: error.message }),
  );
  const { watchdogIntervalMs, reconcileIntervalMs } = config.maintenance;
  const schedules = [
    [MAINTENANCE_JOB_NAMES.watchdog, watchdogIntervalMs],
    [MAINTENANCE_JOB_NAMES.reconcile, reconcileIntervalMs],
  ] as const;
  for (const [name, every] of schedules) {
    // One scheduler per tenant, so a multi-tenant deployment gets one each.
    const id = `${name}:${tenant}`;
    if (every > 0)
      await queue.upsertJobScheduler(
        id,
        { every },
        { name, data: { tenant, trigger: 'schedule' }, opts: KEEP },
      );
    else await queue.removeJobScheduler(id);
  }

  const watchdog = createWatchdog({
    client: deps.client,
    health: deps.health,
    maintenanceQueue: queue,
    tenant,
    webhookUrl: config.maintenance.webhookUrl,
    fallbackWindowMs: Math.max(watchdogIntervalMs, reconcileIntervalMs, 15 * 60_000),
    logger,
    onAlert: (state) => deps.metrics.watchdogAlert(tenant, state),
  });
  const events = createEventsQueue(deps.connection, config.queue.prefix);
  events.on('error', () => undefined);
  const reconcile = createReconcile({
    oldestPendingEvent: () => oldestPending(events),
    client: deps.client,
    targets: deps.targets,
    providerName: deps.providerName,
    fingerprints: deps.fingerprints,
    seen: deps.seen,
    enrichQueue: deps.enrichQueue,
    redis: deps.connection,
    prefix: config.queue.prefix,
    timing: {
      debounceMs: config.worker.debounceMs,
      maxWaitMs: config.worker.maxWaitMs,
      attempts: config.worker.attempts,
    },
    firstWindowMs: Math.max(reconcileIntervalMs, 30 * 60_000),
    logger,
  });

  const backfill = createBackfill({
    client: deps.client,
    targets: deps.targets,
    providerName: deps.providerName,
    fingerprints: deps.fingerprints,
    enrichQueue: deps.enrichQueue,
    progress: new BackfillProgressStore(deps.connection, config.queue.prefix),
    timing: {
      debounceMs: config.worker.debounceMs,
      maxWaitMs: config.worker.maxWaitMs,
      attempts: config.worker.attempts,
    },
    logger,
  });

  const worker = new Worker<MaintenanceJobData, unknown>(
    queue.name,
    async (job: Job<MaintenanceJobData>) => {
      if (job.name === MAINTENANCE_JOB_NAMES.watchdog) return watchdog();
      if (job.name === MAINTENANCE_JOB_NAMES.reconcile) {
        const result = await reconcile(job);
        deps.metrics.reconciled(tenant, result.enqueued);
        return result;
      }
      if (job.name === MAINTENANCE_JOB_NAMES.backfill) return backfill(job);
      throw new Error(`unknown so-maintenance job ${job.name}`);
    },
    {
      connection: deps.connection,
      prefix: config.queue.prefix,
      // The schedulers fire once per period across processes. A backfill holds one slot for its
      // whole run (hours, paced), so the watchdog and the sweeps keep the other.
      concurrency: 2,
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.lockDurationMs,
    },
  );
  return { queue, worker, events };
}

/** When the oldest waiting or running `so-events` job was added (either end of each list). */
async function oldestPending(events: Queue): Promise<number | undefined> {
  const ends = await Promise.all(
    (['wait', 'active'] as const).flatMap((type) => [
      events.getJobs([type], 0, 0, true),
      events.getJobs([type], 0, 0, false),
    ]),
  );
  const stamps = ends.flat().map((job) => job.timestamp);
  return stamps.length ? Math.min(...stamps) : undefined;
}
