import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import {
  decide,
  fieldValueAsInt,
  type DecisionContext,
  type FilterRules,
} from '@so-connector/filters';
import type { Logger } from '@so-connector/logger';
import {
  ENRICH_JOB_NAMES,
  enrichDedupId,
  enrichJobOptions,
  eventJobSchema,
  type EnrichJobData,
  type EventJobData,
} from '@so-connector/queue';
import type { SyncRunStore } from '@so-connector/sync-runs';
import type { EventOutcome } from '../outcomes';

export interface EventsProcessorDeps {
  readonly enrichQueue: Queue<EnrichJobData>;
  readonly runs: SyncRunStore;
  readonly rules: FilterRules;
  readonly context: () => DecisionContext;
  readonly debounceMs: number;
  readonly maxWaitMs: number;
  readonly attempts: number;
  readonly logger: Logger;
}

/**
 * `so-events`: decide, record the decision on the account's sync run, and turn a relevant event
 * into one enrichment per record and debounce window. Debounce: the pending job's delay is pushed
 * back by each new event (BullMQ deduplication with extend + replace), until the first event of
 * the window is `maxWaitMs` old; after that new events join the pending job without delaying it,
 * so a record that keeps changing is still enriched.
 */
export function createEventsProcessor(deps: EventsProcessorDeps) {
  return async (job: Job<EventJobData>): Promise<EventOutcome> => {
    const parsed = eventJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        `invalid so-events job data: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
      );
    }
    const { event, tenant } = parsed.data;
    const decision = decide(event, deps.context(), deps.rules);
    const entity = event.Event.toLowerCase().startsWith('person.') ? 'person' : 'contact';
    const accountId =
      entity === 'contact'
        ? event.PrimaryKey
        : (fieldValueAsInt(event.FieldValues?.contact_id) ?? 0);
    const base = {
      id: event.EventId,
      kind: 'event' as const,
      tenant,
      accountId,
      record: { entity, id: event.PrimaryKey } as const,
      event: event.Event,
      job: { queue: job.queueName, id: job.id ?? '' },
    };

    if (decision.action === 'skip') {
      await deps.runs.record({
        ...base,
        at: new Date().toISOString(),
        status: 'SKIPPED',
        reason: decision.reason,
        detail: decision.detail,
      });
      deps.logger.debug('event skipped', { eventId: event.EventId, reason: decision.reason });
      return { outcome: 'skipped', reason: decision.reason, detail: decision.detail };
    }

    const recordEntity = decision.action === 'enrich-person' ? 'person' : 'contact';
    const dedupId = enrichDedupId(tenant, recordEntity, decision.recordId);
    const now = Date.now();
    const pendingId = await deps.enrichQueue.getDeduplicationJobId(dedupId);
    const pending = pendingId ? await deps.enrichQueue.getJob(pendingId) : undefined;
    const firstEventAt =
      pending && (await pending.isDelayed())
        ? pending.data.firstEventAt
        : new Date(now).toISOString();
    const waited = now - Date.parse(firstEventAt);
    const stillDebouncing = waited + deps.debounceMs <= deps.maxWaitMs;
    const data: EnrichJobData = {
      tenant,
      entity: recordEntity,
      recordId: decision.recordId,
      firstEventAt,
      lastEventId: event.EventId,
      ...(accountId > 0 ? { accountId } : {}),
    };
    const added = await deps.enrichQueue.add(
      recordEntity === 'person' ? ENRICH_JOB_NAMES.person : ENRICH_JOB_NAMES.contact,
      data,
      {
        ...enrichJobOptions(deps.attempts),
        delay: deps.debounceMs,
        // keepLastIfActive: an event that arrives while the record's enrichment runs is kept and
        // becomes one more enrichment when the running one ends (the run may have read the record
        // before the change). It also keeps the key for the job's life, independent of clocks.
        deduplication: stillDebouncing
          ? {
              id: dedupId,
              ttl: Math.max(1, deps.debounceMs),
              extend: true,
              replace: true,
              keepLastIfActive: true,
            }
          : { id: dedupId, keepLastIfActive: true },
      },
    );
    await deps.runs.record({
      ...base,
      at: new Date().toISOString(),
      status: 'QUEUED',
      reason: decision.reason,
      detail: decision.matched.length ? `changed: ${decision.matched.join(', ')}` : decision.reason,
    });
    return { outcome: 'scheduled', job: added.id ?? dedupId, matched: decision.matched };
  };
}
