import type { WorkerConfig } from '@so-connector/config';
import { buildRules } from '@so-connector/filters';
import type { Logger } from '@so-connector/logger';
import {
  BackfillProgressStore,
  partitionOfJob,
  type EnrichJobData,
  type QueuePartitions,
  tenantKeyPrefix,
} from '@so-connector/queue';
import type { RunWriter } from '@so-connector/sync-runs';
import type { Cluster, Redis } from 'ioredis';
import type { FingerprintStore } from './fingerprint-store';
import type { SeenChanges } from './maintenance/seen-changes';
import { createEnrichProcessor } from './processors/enrich/enrich.processor';
import { createEventsProcessor } from './processors/events.processor';
import { ProviderResultStore } from './provider-result-store';
import { servePerTenant, type TenantJobsOptions } from './tenants/tenant-jobs';
import type { TenantPauses } from './tenants/tenant-pause';
import { TenantSlots } from './tenants/tenant-slots';

export interface StageProcessorsDeps {
  readonly config: WorkerConfig;
  readonly connection: Redis | Cluster;
  readonly enrichQueue: QueuePartitions<EnrichJobData>;
  /** The sync-run store's write-behind batcher (SyncRunStore.batcher), for both stages' facts. */
  readonly runWriter: RunWriter;
  readonly seen: SeenChanges;
  readonly fingerprints: FingerprintStore;
  readonly pauses: TenantPauses;
  readonly tenantJobs: TenantJobsOptions;
  readonly logger: Logger;
  /** How many tenants share the queues now (fair priorities, slot shares). */
  readonly tenantCount: () => number;
  readonly quietEventsPerMinute?: number | undefined;
}

const skipped = (reason: string, detail: string) => ({
  outcome: 'skipped' as const,
  reason,
  detail,
});

/**
 * The `so-events` and `so-enrich` processors, each run under its job's tenant (servePerTenant):
 * events without waiting for a tenant's pause (the stage calls neither SuperOffice nor the
 * provider once built), enrichments within the tenant's share of this process's slots.
 */
export function createStageProcessors(deps: StageProcessorsDeps) {
  const { config, connection, enrichQueue, logger } = deps;
  const prefix = config.queue.prefix;
  // A tenant whose SuperOffice hangs holds at most its share of the slots (tenant-slots.ts); the
  // events stage adds a new enrichment of a tenant at its share already waiting for its turn.
  const enrichSlots = new TenantSlots({
    cap: config.worker.tenantMaxInFlight,
    concurrency: config.worker.concurrency,
    tenants: deps.tenantCount,
  });
  const eventsProcessor = servePerTenant(
    { ...deps.tenantJobs, honourPauses: false },
    createEventsProcessor({
      enrichQueue,
      runs: deps.runWriter,
      rules: buildRules(config.filters),
      debounceMs: config.worker.debounceMs,
      maxWaitMs: config.worker.maxWaitMs,
      attempts: config.worker.attempts,
      logger,
      seen: deps.seen,
      tenantCount: deps.tenantCount,
      enrichSlots,
      ...(deps.quietEventsPerMinute === undefined
        ? {}
        : { quietEventsPerMinute: deps.quietEventsPerMinute }),
    }),
    skipped,
  );
  const enrichProcessor = servePerTenant(
    {
      ...deps.tenantJobs,
      slots: enrichSlots,
      queueOf: (job) => partitionOfJob(enrichQueue, job),
    },
    createEnrichProcessor({
      fingerprints: deps.fingerprints,
      providerResults: new ProviderResultStore(
        connection,
        tenantKeyPrefix(prefix, config.queue.partitions),
        config.worker.providerResultTtlMs,
      ),
      runs: deps.runWriter,
      backfills: new BackfillProgressStore(
        connection,
        tenantKeyPrefix(prefix, config.queue.partitions),
      ),
      enrichQueue,
      logger,
      pauses: deps.pauses,
    }),
    skipped,
  );
  return { eventsProcessor, enrichProcessor };
}
