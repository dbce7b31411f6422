import type { Job, Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '@so-connector/logger';
import {
  prefixOfTenant,
  type TenantKeyPrefixOption,
  enrichDedupId,
  maintenanceJobSchema,
  queueFor,
  scheduleEnrichment,
  type EnrichJobData,
  type EnrichmentTiming,
  type MaintenanceJobData,
  type PartitionedQueue,
  type ReconcileResult,
} from '@so-connector/queue';
import { queryContactRows, queryPersonRows, updatedAfter } from '@so-connector/superoffice-client';
import { assessContacts, assessPersons, companyUdfKeys, type AssessDeps } from './assess-rows';
import { tooRecent, type RowVerdict } from './row-decision';

export interface ReconcileDeps extends AssessDeps {
  readonly enrichQueue: PartitionedQueue<EnrichJobData>;
  readonly redis: Redis | Cluster;
  /** Where each tenant's cursor is (its partition's prefix: tenant-keys.ts). */
  readonly prefix: TenantKeyPrefixOption;
  readonly timing: EnrichmentTiming;
  /** A first sweep (no cursor yet) looks back this far. */
  readonly firstWindowMs: number;
  /**
   * A scheduled sweep leaves rows updated this recently to the next one (tooRecent); default the
   * debounce window. Sweeps the watchdog or an operator asked for take every row.
   */
  readonly graceMs?: number;
  /**
   * When the oldest webhook event still waiting or running in `so-events` was accepted (ms), if
   * any: rows saved since (less the grace) may have their event in that backlog, so a scheduled
   * sweep leaves them to the next one too.
   */
  readonly oldestPendingEvent?: () => Promise<number | undefined>;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * SuperOffice's timestamps have whole seconds and come from its clock, not ours: every sweep
 * starts this much before the previous one ended. A record seen twice costs nothing: its change is
 * marked seen or its fingerprint already stored, and any enrichment is deduplicated.
 */
export const RECONCILE_OVERLAP_MS = 2 * 60_000;

/**
 * The reconciliation sweep (`so-maintenance`, every RECONCILE_INTERVAL_MS, after the watchdog
 * re-activated a webhook, and on `so-connector replay`). SuperOffice tries a delivery only 3
 * times and then drops the event, so the sweep asks which contacts and persons were updated since
 * the last sweep — with the columns the enrichment reads and the target UDFs — and enqueues only
 * those whose change it did not see as an event and whose inputs differ from the stored
 * enrichment (decideRow). With healthy webhooks a sweep reads no record; a change in a column the
 * enrichment ignores (a phone number) is never read.
 */
/**
 * Whether an enrichment of the record is pending: one that waits (delayed in its debounce window,
 * waiting, prioritised) reads the record when it runs, so it covers any change saved before now.
 * A running one may have read before the change; it counts only when `running` is accepted (a
 * scheduled sweep: the next one starts RECONCILE_OVERLAP_MS earlier, so it checks the row again
 * once the enrichment stored what it read).
 */
async function pendingRead(
  queue: Queue<EnrichJobData>,
  request: { tenant: string; entity: 'contact' | 'person'; recordId: number },
  running: boolean,
): Promise<boolean> {
  const jobId = await queue.getDeduplicationJobId(
    enrichDedupId(request.tenant, request.entity, request.recordId),
  );
  const job = jobId ? await queue.getJob(jobId) : undefined;
  const state = job ? await job.getState() : undefined;
  return (
    state === 'delayed' ||
    state === 'waiting' ||
    state === 'prioritized' ||
    (running && state === 'active')
  );
}

export function createReconcile(deps: ReconcileDeps) {
  const now = deps.now ?? Date.now;
  return async (job: Job<MaintenanceJobData>): Promise<ReconcileResult> => {
    const data = maintenanceJobSchema.parse(job.data);
    const cursorKey = `${prefixOfTenant(deps.prefix, data.tenant)}:reconcile:${data.tenant}:cursor`;
    const until = now();
    const cursor = await deps.redis.get(cursorKey);
    const since =
      data.since ??
      new Date(
        (cursor ? Date.parse(cursor) : until - deps.firstWindowMs) - RECONCILE_OVERLAP_MS,
      ).toISOString();
    const filter = updatedAfter(since);
    const companyTargets = await deps.targets.company();
    const personTarget = await deps.targets.personOpener();
    const contactRows = await queryContactRows(deps.client, {
      filter,
      udfKeys: companyUdfKeys(companyTargets),
    });
    const personRows = personTarget
      ? await queryPersonRows(deps.client, { filter, udfKeys: [personTarget.key] })
      : [];
    const contacts = await assessContacts(deps, data.tenant, contactRows);
    const persons = await assessPersons(deps, data.tenant, personRows, contactRows);

    const reasons: Record<string, number> = {};
    const count = (reason: string) => (reasons[reason] = (reasons[reason] ?? 0) + 1);
    const cause = `reconcile:${job.id ?? Date.now()}`;
    const baseGraceMs = deps.graceMs ?? deps.timing.debounceMs;
    const oldestEvent = await deps.oldestPendingEvent?.();
    const graceMs =
      oldestEvent === undefined
        ? baseGraceMs
        : Math.max(baseGraceMs, until - oldestEvent + baseGraceMs);
    const scheduled = data.trigger === 'schedule';
    const updated = new Map<string, string | null>([
      ...contactRows.map((r) => [`contact:${r.contactId}`, r.updatedDate] as const),
      ...personRows.map((r) => [`person:${r.personId}`, r.updatedDate] as const),
    ]);
    const updatedOf = (r: { entity: string; recordId: number }) =>
      updated.get(`${r.entity}:${r.recordId}`) ?? null;
    let enqueued = 0;
    const consider = async (
      verdict: RowVerdict,
      request: Parameters<typeof scheduleEnrichment>[1],
    ): Promise<void> => {
      if (!verdict.read) return void count(verdict.reason);
      if (scheduled && tooRecent(updatedOf(request), until, graceMs))
        return void count('too-recent');
      // A pending job reads the record when it runs; joining it would only push its debounce out.
      if (await pendingRead(queueFor(deps.enrichQueue, request.tenant), request, scheduled))
        return void count('enrichment-pending');
      count(verdict.reason);
      await scheduleEnrichment(deps.enrichQueue, request, deps.timing);
      enqueued++;
      if (enqueued % 50 === 0) await job.updateProgress({ enqueued });
    };
    for (const { row, verdict } of contacts)
      await consider(verdict, {
        tenant: data.tenant,
        entity: 'contact',
        recordId: row.contactId,
        cause,
      });
    for (const { row, verdict } of persons)
      await consider(verdict, {
        tenant: data.tenant,
        entity: 'person',
        recordId: row.personId,
        cause,
        accountId: row.contactId ?? undefined,
      });
    // The cursor only moves forward: a replay of an older window does not rewind the schedule.
    const untilIso = new Date(until).toISOString();
    if (!cursor || cursor < untilIso) await deps.redis.set(cursorKey, untilIso);
    const result: ReconcileResult = {
      since,
      until: untilIso,
      contacts: contactRows.length,
      persons: personRows.length,
      enqueued,
      reasons,
    };
    deps.logger.info('reconciliation sweep done', {
      tenant: data.tenant,
      trigger: data.trigger,
      ...result,
    });
    return result;
  };
}
