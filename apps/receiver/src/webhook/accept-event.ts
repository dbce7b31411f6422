import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@so-connector/logger';
import { eventJobOptions, type EventJobData } from '@so-connector/queue';
import type { DiskSpool } from '../spool/disk-spool';
import { enqueueEvent, type EnqueueOutcome } from './enqueue-event';

export type AcceptOutcome = EnqueueOutcome | 'spooled';

export interface EventAcceptorDeps {
  readonly queue: Queue<EventJobData>;
  /** The connection `queue` was created with. */
  readonly redis: Redis;
  readonly spool: DiskSpool;
  readonly dedupWindowSeconds: number;
  /** How long a webhook request may wait for Redis before the event goes to the spool. */
  readonly redisTimeoutMs: number;
  readonly logger: Logger;
}

export type EventAcceptor = (data: EventJobData) => Promise<AcceptOutcome>;

/**
 * Makes an accepted event durable: in Redis when it answers, else in the disk spool. Throws only
 * when both fail; the route answers 503 then, so SuperOffice retries instead of dropping it.
 */
export function createEventAcceptor(deps: EventAcceptorDeps): EventAcceptor {
  const options = eventJobOptions(deps.dedupWindowSeconds);
  return async (data) => {
    try {
      return await enqueueEvent(deps.queue, deps.redis, data, options, deps.redisTimeoutMs);
    } catch (error) {
      deps.logger.warn('Redis unavailable, spooling event to disk', {
        eventId: data.event.EventId,
        error: error instanceof Error ? error.message : String(error),
      });
      // A job that timed out may still reach Redis later; the drainer's add with the same jobId
      // is then a no-op, so the event is never queued twice.
      await deps.spool.write({ ...data, spooled: true });
      return 'spooled';
    }
  };
}
