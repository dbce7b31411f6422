import type { Logger } from '@so-connector/logger';
import type { EventJobData } from '@so-connector/queue';
import type { DiskSpool } from '../spool/disk-spool';
import type { EnqueueOutcome, EventEnqueuer } from './event-enqueuer';

export type AcceptOutcome = EnqueueOutcome | 'spooled';

export interface EventAcceptorDeps {
  readonly enqueuer: EventEnqueuer;
  readonly spool: DiskSpool;
  readonly logger: Logger;
}

export type EventAcceptor = (data: EventJobData) => Promise<AcceptOutcome>;

/**
 * Makes an accepted event durable: in Redis when it answers, else in the disk spool. Throws only
 * when both fail; the route answers 503 then, so SuperOffice retries instead of dropping it.
 */
export function createEventAcceptor(deps: EventAcceptorDeps): EventAcceptor {
  return async (data) => {
    try {
      return await deps.enqueuer.enqueue(data);
    } catch (error) {
      deps.logger.warn('Redis unavailable, spooling event to disk', {
        eventId: data.event.EventId,
        error: error instanceof Error ? error.message : String(error),
      });
      // A job that timed out may still reach Redis later; its job (or, once the completed body is
      // gone, its dedup marker) then makes the drainer's add a no-op answered "duplicate", so the
      // event is never queued twice.
      await deps.spool.write({ ...data, spooled: true });
      return 'spooled';
    }
  };
}
