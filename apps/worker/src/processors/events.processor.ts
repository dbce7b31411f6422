import { UnrecoverableError, type Job } from 'bullmq';
import { decide, fieldValueAsInt, type FilterRules } from '@so-connector/filters';
import type { Logger } from '@so-connector/logger';
import {
  DEFAULT_QUIET_EVENTS_PER_MINUTE,
  eventJobSchema,
  fairPriority,
  scheduleEnrichmentHeld,
  TenantRateTracker,
  type EnrichJobData,
  type EventJobData,
  type PartitionedQueue,
} from '@so-connector/queue';
import type { RunWriter, SideWrite } from '@so-connector/sync-runs';
import { normaliseStamp, type SeenChanges } from '../maintenance/seen-changes';
import type { EventOutcome } from '../outcomes';
import type { TenantRuntime } from '../tenants/tenant-runtime';
import type { TenantSlots } from '../tenants/tenant-slots';

export interface EventsProcessorDeps {
  /** `so-enrich` or its partitions: the job goes to the event's tenant's partition. */
  readonly enrichQueue: PartitionedQueue<EnrichJobData>;
  /**
   * Where the decision is recorded: a batcher over the sync-run store (SyncRunStore.batcher), so
   * the fact and the seen marker of concurrent jobs share one round trip; each job awaits its own.
   */
  readonly runs: RunWriter;
  /** The deployment's filter rules; the echo rule and the owner scope come from the tenant. */
  readonly rules: FilterRules;
  readonly debounceMs: number;
  readonly maxWaitMs: number;
  readonly attempts: number;
  readonly logger: Logger;
  /** Where the record's last handled change is marked, so the sweep does not read it again. */
  readonly seen?: SeenChanges;
  /**
   * A tenant's relevant events a minute (counted in this process) up to which its enrichments get
   * no priority; above it, a priority behind the quiet tenants' enrichments (fair-priority.ts).
   */
  readonly quietEventsPerMinute?: number;
  /** How many tenants share the queue now (fairness applies from two on); default 2. */
  readonly tenantCount?: () => number;
  /**
   * The enrichment stage's per-tenant slots in this process: a new enrichment of a tenant that
   * holds its share of them is added waiting for its turn, as a pick-up would turn it away.
   */
  readonly enrichSlots?: Pick<TenantSlots, 'holdBack' | 'track'>;
}

/** What an event's decision needs of its tenant (and when its budget lets an enrichment run). */
export type EventTenant = Pick<TenantRuntime, 'ownAssociateId' | 'ownerScope'> &
  Partial<Pick<TenantRuntime, 'superOfficeSpentUntil'>>;

/**
 * `so-events`: decide (with the job's tenant's own associate and owner scope), record the decision
 * on the account's sync run, and turn a relevant event into one enrichment per record and debounce
 * window (scheduleEnrichment: debounce, max wait, keepLastIfActive).
 */
export function createEventsProcessor(deps: EventsProcessorDeps) {
  const quiet = deps.quietEventsPerMinute ?? DEFAULT_QUIET_EVENTS_PER_MINUTE;
  const rates = new TenantRateTracker({ windowMs: 60_000 });
  return async (job: Job<EventJobData>, runtime: EventTenant): Promise<EventOutcome> => {
    const parsed = eventJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        `invalid so-events job data: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
    }
    const { event, tenant } = parsed.data;
    const context = { ownAssociateId: runtime.ownAssociateId(), ownerScope: runtime.ownerScope };
    const decision = decide(event, context, deps.rules);
    const entity = event.Event.toLowerCase().startsWith('person.') ? 'person' : 'contact';
    // A human's change is seen whatever the decision; only FieldValues.updated says which change it
    // was (the payload's Timestamp is the send time, on another clock), so without it nothing is
    // marked. The connector's own write-back (an echo) is not marked: `updated` has whole seconds,
    // and its stamp would cover a human save in the same second whose event SuperOffice dropped.
    // Unmarked, the sweep compares the row's fingerprint instead, which as a rule finds an echo
    // unchanged without a read (a person whose company changed since is read again; see
    // maintenance/row-decision.ts).
    const updated = normaliseStamp(event.FieldValues?.updated);
    const echo = decision.action === 'skip' && decision.reason === 'echo';
    const seenMarker: SideWrite[] =
      deps.seen && updated && !echo && /^(contact|person)\./i.test(event.Event)
        ? [deps.seen.markWrite(tenant, entity, event.PrimaryKey, updated)]
        : [];
    const accountId =
      entity === 'contact'
        ? event.PrimaryKey
        : (fieldValueAsInt(event.FieldValues?.contact_id) ?? 0);
    // The decision's fact and the seen marker: one write, awaited (the batcher shares round trips).
    // The fact is spelled out, not `{ ...base, at, … }`: V8 (Node 20) builds an object literal
    // with properties after a spread in its slow path, about 1 µs per property, on every skip.
    const record = (status: 'SKIPPED' | 'QUEUED', reason: string, detail: string) =>
      deps.runs.write({
        fact: {
          id: event.EventId,
          kind: 'event',
          tenant,
          accountId,
          record: { entity, id: event.PrimaryKey },
          event: event.Event,
          job: { queue: job.queueName, id: job.id ?? '' },
          at: new Date().toISOString(),
          status,
          reason,
          detail,
        },
        also: seenMarker,
      });

    if (decision.action === 'skip') {
      // The job completes only once its fact and marker are in Redis (one shared round trip).
      await record('SKIPPED', decision.reason, decision.detail);
      // Guarded: a disabled winston line still runs its formats, a cost on the hot skip path.
      if (deps.logger.isDebugEnabled())
        deps.logger.debug('event skipped', { eventId: event.EventId, reason: decision.reason });
      return { outcome: 'skipped', reason: decision.reason, detail: decision.detail };
    }

    const priority = fairPriority(rates.record(tenant), quiet, deps.tenantCount?.() ?? 2);
    // A tenant whose SuperOffice budget this process knows spent for the minute, or that holds its
    // share of this process's enrichment slots: a new job waits from the start until it could
    // run, instead of being taken up after its debounce only to be turned back (a flood's every
    // event would cost a job pick-up and a move to delayed more).
    let slotTurn: number | undefined;
    const notBefore = async (debounceMs: number): Promise<number | undefined> => {
      const spent = await runtime.superOfficeSpentUntil?.();
      if (spent !== undefined) return spent;
      slotTurn = deps.enrichSlots?.holdBack(tenant, Date.now(), debounceMs);
      return slotTurn;
    };
    const { job: added, heldUntil } = await scheduleEnrichmentHeld(
      deps.enrichQueue,
      {
        tenant,
        ...(priority === undefined ? {} : { priority }),
        entity: decision.action === 'enrich-person' ? 'person' : 'contact',
        recordId: decision.recordId,
        cause: event.EventId,
        accountId,
        receivedAt: parsed.data.receivedAt,
        notBefore,
      },
      deps,
    );
    const bySlot = heldUntil !== undefined && heldUntil === slotTurn;
    if (bySlot && added.id !== undefined) deps.enrichSlots?.track(tenant, added.id, heldUntil);
    const changed = decision.matched.length
      ? `changed: ${decision.matched.join(', ')}`
      : decision.reason;
    const why = bySlot
      ? 'the tenant runs its share of the enrichment slots'
      : 'over the SuperOffice calls per minute budget';
    await record(
      'QUEUED',
      decision.reason,
      heldUntil === undefined
        ? changed
        : `${changed}; ${why}, waits until ${new Date(heldUntil).toISOString()}`,
    );
    return { outcome: 'scheduled', job: added.id ?? '', matched: decision.matched };
  };
}
