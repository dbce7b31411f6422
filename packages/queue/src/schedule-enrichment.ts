import type { Job, Queue } from 'bullmq';
import { ENRICH_JOB_NAMES } from './catalog';
import { recordCause } from './coalesced-causes';
import { enrichDedupId } from './job-ids';
import { enrichJobOptions } from './job-options';
import { queueFor, type PartitionedQueue } from './partitioned-queues';
import type { EnrichJobData } from './payloads';

export interface EnrichmentRequest {
  readonly tenant: string;
  readonly entity: 'contact' | 'person';
  readonly recordId: number;
  /** What asked for it: an EventId, or `reconcile:…` / `cli:…` for the other producers. */
  readonly cause: string;
  /** The company of a person, when known. */
  readonly accountId?: number | undefined;
  /** When the receiver accepted the webhook behind this request (end-to-end latency). */
  readonly receivedAt?: string | undefined;
  /**
   * A BullMQ priority for a new job (backfill: BACKFILL_PRIORITY). A request that joins a
   * pending job leaves it at the pending job's priority — live changes are never demoted.
   */
  readonly priority?: number | undefined;
  /**
   * Asked only when the request starts a new job: a time before which the enrichment cannot run
   * (its tenant's SuperOffice budget is spent until then: TenantBudgets.spentUntil; or its tenant
   * holds its share of the worker's slots: TenantSlots.holdBack), so the job is added waiting
   * until then instead of being picked up at the end of its debounce only to be turned back.
   * Undefined: no such time. Called with the debounce: a time within it holds nothing back.
   */
  readonly notBefore?: ((debounceMs: number) => Promise<number | undefined>) | undefined;
}

/** A new job of a scheduleEnrichment: when it was delayed past its debounce, until when. */
export interface ScheduledEnrichment {
  readonly job: Job<EnrichJobData>;
  /** Set when `notBefore` held the new job back beyond its debounce window. */
  readonly heldUntil?: number | undefined;
}

/**
 * BullMQ runs jobs without a priority (0) before any prioritised job (docs.bullmq.io "Prioritized";
 * lower numbers first, 1 … 2^21): live enrichments carry none, so a backfill's wait behind them.
 */
export const BACKFILL_PRIORITY = 100;

export interface EnrichmentTiming {
  /** Debounce window: the job waits this long for more changes to the same record. */
  readonly debounceMs: number;
  /** A record that keeps changing is still enriched once its first change is this old. */
  readonly maxWaitMs: number;
  readonly attempts: number;
  readonly now?: number;
}

/**
 * Adds (or joins) the one pending enrichment of a record. Every producer — the events processor,
 * the reconciliation sweep, the CLI — goes through here, so they share the deduplication id
 * `{tenant}:{entity}:{id}`: a burst of changes, a sweep and an operator's request for the same
 * record become one job.
 *
 * Debounce: the pending job's delay is pushed back by each new request (BullMQ deduplication with
 * extend + replace), until the first request of the window is `maxWaitMs` old; after that new
 * requests join the pending job without delaying it. keepLastIfActive: a request that arrives while
 * the record's enrichment runs is kept and becomes one more enrichment when the running one ends
 * (the run may have read the record before the change). Every request's cause is recorded
 * (recordCause), so the enrichment that covers it can say which events it covered.
 *
 * With partitions the job goes to the tenant's partition (`queueFor`): the dedup id, the debounce
 * and the causes are keys of that one queue, so of one Cluster slot.
 */
export async function scheduleEnrichment(
  queues: PartitionedQueue<EnrichJobData>,
  request: EnrichmentRequest,
  timing: EnrichmentTiming,
): Promise<Job<EnrichJobData>> {
  return (await scheduleEnrichmentHeld(queues, request, timing)).job;
}

/**
 * scheduleEnrichment, saying whether `request.notBefore` held a new job back. A request that joins
 * a pending job never asks `notBefore` (the pending job already counted against the budget when it
 * was turned back, if it was).
 */
export async function scheduleEnrichmentHeld(
  queues: PartitionedQueue<EnrichJobData>,
  request: EnrichmentRequest,
  timing: EnrichmentTiming,
): Promise<ScheduledEnrichment> {
  const queue: Queue<EnrichJobData> = queueFor(queues, request.tenant);
  const dedupId = enrichDedupId(request.tenant, request.entity, request.recordId);
  // Before the add: the job this request joins (or starts) finds the cause when it runs. The same
  // round trip says which job is pending for the record (queue.getDeduplicationJobId).
  const pendingId = await recordCause(queue, dedupId, request.cause);
  const now = timing.now ?? Date.now();
  const pending = pendingId ? await queue.getJob(pendingId) : undefined;
  const joining = pending !== undefined && (await pending.isDelayed());
  const firstEventAt = joining ? pending.data.firstEventAt : new Date(now).toISOString();
  // The window's first webhook: what a joined request adds is already waiting.
  const receivedAt = joining ? (pending.data.receivedAt ?? request.receivedAt) : request.receivedAt;
  const waited = now - Date.parse(firstEventAt);
  const stillDebouncing = waited + timing.debounceMs <= timing.maxWaitMs;
  const notBefore =
    pendingId === undefined ? await request.notBefore?.(timing.debounceMs) : undefined;
  const heldUntil =
    notBefore !== undefined && notBefore - now > timing.debounceMs ? notBefore : undefined;
  const data: EnrichJobData = {
    tenant: request.tenant,
    entity: request.entity,
    recordId: request.recordId,
    firstEventAt,
    lastEventId: request.cause,
    ...(request.accountId !== undefined && request.accountId > 0
      ? { accountId: request.accountId }
      : {}),
    ...(receivedAt ? { receivedAt } : {}),
  };
  const job = await queue.add(
    request.entity === 'person' ? ENRICH_JOB_NAMES.person : ENRICH_JOB_NAMES.contact,
    data,
    {
      ...enrichJobOptions(timing.attempts),
      ...(request.priority !== undefined && !pending ? { priority: request.priority } : {}),
      // The debounce window's length stays the deduplication's: a change after it starts another
      // job, as it does when a job is turned back by the budget after its debounce.
      delay: heldUntil === undefined ? timing.debounceMs : heldUntil - now,
      // Held: BullMQ delays from the job's timestamp, so the job waits until exactly `heldUntil`
      // (what a freed slot that brings it forward looks for: tenant-slots.ts in the worker).
      ...(heldUntil === undefined ? {} : { timestamp: now }),
      deduplication: stillDebouncing
        ? {
            id: dedupId,
            ttl: Math.max(1, timing.debounceMs),
            extend: true,
            replace: true,
            keepLastIfActive: true,
          }
        : { id: dedupId, keepLastIfActive: true },
    },
  );
  return { job, ...(heldUntil === undefined ? {} : { heldUntil }) };
}
