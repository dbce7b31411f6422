import { Worker, type Job, type Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { WorkerConfig } from '@so-connector/config';
import type { Logger } from '@so-connector/logger';
import {
  BackfillProgressStore,
  createMaintenanceQueue,
  MAINTENANCE_JOB_NAMES,
  queueFor,
  type EnrichJobData,
  type EventJobData,
  type MaintenanceJobData,
  type PartitionedQueue,
  tenantKeyPrefix,
} from '@so-connector/queue';
import type { WebhookHealthStore } from '@so-connector/sync-runs';
import type { TenantRegistry } from '@so-connector/tenants';
import type { FingerprintStore } from '../fingerprint-store';
import type { WorkerMetrics } from '../metrics';
import { servePerTenant, type TenantJobsOptions } from '../tenants/tenant-jobs';
import type { TenantRuntime } from '../tenants/tenant-runtime';
import { TenantSlots } from '../tenants/tenant-slots';
import { createBackfill } from './backfill';
import { createReconcile } from './reconcile';
import type { SeenChanges } from './seen-changes';
import { createWatchdog } from './watchdog';

export interface MaintenanceDeps {
  readonly config: WorkerConfig;
  readonly connection: Redis | Cluster;
  readonly enrichQueue: PartitionedQueue<EnrichJobData>;
  /** `so-events` (or its partitions), read by the sweep: the tenant's backlog. */
  readonly eventsQueue: PartitionedQueue<EventJobData>;
  readonly health: WebhookHealthStore;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  readonly fingerprints: FingerprintStore;
  readonly seen: SeenChanges;
  /** Every registered tenant gets its schedulers; jobs run with their tenant's runtime. */
  readonly registry: TenantRegistry;
  readonly tenantJobs: TenantJobsOptions;
  /** How many tenants the registry holds now (the per-tenant slot cap applies from two on). */
  readonly tenantCount: () => number;
}

export interface RunningMaintenance {
  readonly queue: Queue<MaintenanceJobData>;
  readonly worker: Worker<MaintenanceJobData, unknown>;
  /** Stops following the registry's changes. */
  stop(): void;
}

/**
 * The schedulers fire once per period across processes. A backfill holds one slot for its whole
 * run (hours, paced), so the watchdog and the sweeps keep the other.
 */
const MAINTENANCE_CONCURRENCY = 2;

const KEEP = { removeOnComplete: { count: 200 }, removeOnFail: { count: 500 } } as const;

type MaintenanceTask = (job: Job<MaintenanceJobData>) => Promise<unknown>;

/**
 * `so-maintenance`: the webhook watchdog and the reconciliation sweep as BullMQ job schedulers, one
 * pair per registered tenant (every worker process upserts the same schedulers, so however many
 * run, each fires once per period; a tenant removed from the registry loses its pair), plus
 * on-demand sweeps from the watchdog and `so-connector replay`, and backfills. Each job runs with
 * its tenant's runtime (client, UDF targets, provider); an unknown tenant's job is skipped, and a
 * tenant that needs re-consent is skipped too (the next period looks again). An interval of 0
 * removes the schedulers.
 */
export async function startMaintenance(deps: MaintenanceDeps): Promise<RunningMaintenance> {
  const { config, logger } = deps;
  const queue = createMaintenanceQueue(deps.connection, config.queue.prefix);
  queue.on('error', (error: Error) =>
    logger.debug('maintenance queue error', { error: error.message }),
  );
  const { watchdogIntervalMs, reconcileIntervalMs } = config.maintenance;
  const schedules = [
    [MAINTENANCE_JOB_NAMES.watchdog, watchdogIntervalMs],
    [MAINTENANCE_JOB_NAMES.reconcile, reconcileIntervalMs],
  ] as const;
  const schedule = async (tenant: string, registered: boolean) => {
    for (const [name, every] of schedules) {
      const id = `${name}:${tenant}`;
      if (registered && every > 0)
        await queue.upsertJobScheduler(
          id,
          { every },
          { name, data: { tenant, trigger: 'schedule' }, opts: KEEP },
        );
      else await queue.removeJobScheduler(id);
    }
  };
  for (const tenant of deps.registry.list()) await schedule(tenant.contextIdentifier, true);
  const unsubscribe = deps.registry.on('change', ({ added, removed }) => {
    const updates = [
      ...added.map((ctx) => schedule(ctx, true)),
      ...removed.map((ctx) => schedule(ctx, false)),
    ];
    Promise.all(updates).catch((error: unknown) =>
      logger.warn('maintenance schedulers not updated', { error: String(error) }),
    );
  });

  const timing = {
    debounceMs: config.worker.debounceMs,
    maxWaitMs: config.worker.maxWaitMs,
    attempts: config.worker.attempts,
  };
  const tenantPrefix = tenantKeyPrefix(config.queue.prefix, config.queue.partitions);
  const progress = new BackfillProgressStore(deps.connection, tenantPrefix);
  // One set of tasks per runtime: a tenant's changed settings give a new runtime, so new tasks.
  const tasks = new WeakMap<TenantRuntime, Record<string, MaintenanceTask>>();
  const tasksOf = (runtime: TenantRuntime): Record<string, MaintenanceTask> => {
    const known = tasks.get(runtime);
    if (known) return known;
    const tenant = runtime.tenant.contextIdentifier;
    const shared = {
      client: runtime.client,
      targets: runtime.targets,
      providerName: runtime.provider.name,
      fingerprints: deps.fingerprints,
      enrichQueue: deps.enrichQueue,
      timing,
      logger,
    };
    const watchdog = createWatchdog({
      client: runtime.client,
      health: deps.health,
      maintenanceQueue: queue,
      tenant,
      webhookUrl: config.maintenance.webhookUrl,
      fallbackWindowMs: Math.max(watchdogIntervalMs, reconcileIntervalMs, 15 * 60_000),
      logger,
      onAlert: (state) => deps.metrics.watchdogAlert(tenant, state),
    });
    const reconcile = createReconcile({
      ...shared,
      oldestPendingEvent: () => oldestPending(queueFor(deps.eventsQueue, tenant) as Queue),
      seen: deps.seen,
      redis: deps.connection,
      prefix: tenantPrefix,
      firstWindowMs: Math.max(reconcileIntervalMs, 30 * 60_000),
    });
    const made: Record<string, MaintenanceTask> = {
      [MAINTENANCE_JOB_NAMES.watchdog]: () => watchdog(),
      [MAINTENANCE_JOB_NAMES.reconcile]: async (job) => {
        const result = await reconcile(job);
        deps.metrics.reconciled(tenant, result.enqueued);
        return result;
      },
      [MAINTENANCE_JOB_NAMES.backfill]: createBackfill({ ...shared, progress }),
    };
    tasks.set(runtime, made);
    return made;
  };

  const perform = (job: Job<MaintenanceJobData>, runtime: TenantRuntime) => {
    const task = tasksOf(runtime)[job.name];
    if (!task) throw new Error(`unknown so-maintenance job ${job.name}`);
    return task(job);
  };
  const skipped = (reason: string, detail: string) => ({ outcome: 'skipped', reason, detail });
  // A scheduled job whose tenant cannot run now (needs re-consent, over budget, paused) is
  // skipped: the next run looks again. A backfill is a one-off: it waits (delayed) and then
  // resumes from its cursor, so a budget or a Retry-After never ends it half done.
  // One tenant holds at most its share of the two slots. Scheduled jobs and backfills are counted
  // apart: a backfill runs for hours, and counted with them it would have the tenant's watchdog
  // and sweeps skipped (`tenant-busy`) for as long, a parked webhook left parked.
  const slotsFor = () =>
    new TenantSlots({
      cap: config.worker.tenantMaxInFlight,
      concurrency: MAINTENANCE_CONCURRENCY,
      tenants: deps.tenantCount,
    });
  const scheduled = servePerTenant<MaintenanceJobData, unknown>(
    { ...deps.tenantJobs, slots: slotsFor(), queueOf: () => queue, whenNeedsReconsent: 'skip' },
    perform,
    skipped,
  );
  const oneOff = servePerTenant<MaintenanceJobData, unknown>(
    { ...deps.tenantJobs, slots: slotsFor(), queueOf: () => queue, whenNeedsReconsent: 'defer' },
    perform,
    skipped,
  );
  const worker = new Worker<MaintenanceJobData, unknown>(
    queue.name,
    (job, token) => (job.name === MAINTENANCE_JOB_NAMES.backfill ? oneOff : scheduled)(job, token),
    {
      connection: deps.connection,
      prefix: config.queue.prefix,
      concurrency: MAINTENANCE_CONCURRENCY,
      lockDuration: config.worker.lockDurationMs,
      stalledInterval: config.worker.lockDurationMs,
    },
  );
  return { queue, worker, stop: unsubscribe };
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
