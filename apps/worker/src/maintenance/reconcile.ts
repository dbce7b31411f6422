import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@so-connector/logger';
import {
  maintenanceJobSchema,
  scheduleEnrichment,
  type EnrichJobData,
  type EnrichmentTiming,
  type MaintenanceJobData,
  type ReconcileResult,
} from '@so-connector/queue';
import type { SuperOfficeClient } from '@so-connector/superoffice-client';

export interface ReconcileDeps {
  readonly client: SuperOfficeClient;
  readonly enrichQueue: Queue<EnrichJobData>;
  readonly redis: Redis;
  readonly prefix: string;
  readonly timing: EnrichmentTiming;
  /** A first sweep (no cursor yet) looks back this far. */
  readonly firstWindowMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * SuperOffice's timestamps have whole seconds and come from its clock, not ours: every sweep
 * starts this much before the previous one ended. Records seen twice cost nothing extra — their
 * enrichment is deduplicated with any pending one, and an unchanged fingerprint skips the provider.
 */
export const RECONCILE_OVERLAP_MS = 2 * 60_000;

/**
 * The reconciliation sweep (`so-maintenance`, every RECONCILE_INTERVAL_MS, after the watchdog
 * re-activated a webhook, and on `so-connector replay`). SuperOffice tries a delivery only 3
 * times and then drops the event: asking it which contacts and persons were updated since the
 * last sweep and enqueuing their enrichment through the same deduplication means such changes
 * are not lost for ever. The connector's own writes come back too; the enrichment's fingerprint
 * recognises that nothing it reads changed, so they cost one read and no provider call.
 */
export function createReconcile(deps: ReconcileDeps) {
  const now = deps.now ?? Date.now;
  return async (job: Job<MaintenanceJobData>): Promise<ReconcileResult> => {
    const data = maintenanceJobSchema.parse(job.data);
    const cursorKey = `${deps.prefix}:reconcile:${data.tenant}:cursor`;
    const until = now();
    const cursor = await deps.redis.get(cursorKey);
    const since =
      data.since ??
      new Date(
        (cursor ? Date.parse(cursor) : until - deps.firstWindowMs) - RECONCILE_OVERLAP_MS,
      ).toISOString();
    const contacts = await deps.client.findContactsUpdatedSince(since);
    const persons = await deps.client.findPersonsUpdatedSince(since);
    const total = contacts.length + persons.length;
    let done = 0;
    const cause = `reconcile:${job.id ?? Date.now()}`;
    const progress = async () => {
      done++;
      if (done === total || done % 50 === 0) await job.updateProgress({ done, total });
    };
    for (const row of contacts) {
      await scheduleEnrichment(
        deps.enrichQueue,
        { tenant: data.tenant, entity: 'contact', recordId: row.contactId, cause },
        deps.timing,
      );
      await progress();
    }
    for (const row of persons) {
      await scheduleEnrichment(
        deps.enrichQueue,
        {
          tenant: data.tenant,
          entity: 'person',
          recordId: row.personId,
          cause,
          accountId: row.contactId ?? undefined,
        },
        deps.timing,
      );
      await progress();
    }
    // The cursor only moves forward: a replay of an older window does not rewind the schedule.
    const untilIso = new Date(until).toISOString();
    if (!cursor || cursor < untilIso) await deps.redis.set(cursorKey, untilIso);
    const result: ReconcileResult = {
      since,
      until: untilIso,
      contacts: contacts.length,
      persons: persons.length,
      enqueued: total,
    };
    deps.logger.info('reconciliation sweep done', {
      tenant: data.tenant,
      trigger: data.trigger,
      ...result,
    });
    return result;
  };
}
