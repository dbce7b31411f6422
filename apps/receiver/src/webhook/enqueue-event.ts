import type { JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { eventJobId, type EventJobData } from '@so-connector/queue';
import { withTimeout } from '../with-timeout';

export type EnqueueOutcome = 'accepted' | 'duplicate';

/** Raised when Redis is not connected or too slow: the caller spools instead of waiting. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/**
 * Adds an event job with jobId = EventId and says whether it was new. BullMQ ignores an `add` whose
 * jobId exists but does not say so; the EXISTS is written to the same connection just before the
 * add, so Redis runs it first and it tells whether the job was already there. Two deliveries of one
 * EventId racing each other may both read "accepted", but only one job is ever created.
 *
 * BullMQ waits for its connection however long that takes; a webhook request must not wait with it
 * (SuperOffice's own retry gives up within ~5 s), so the whole call is bounded by `timeoutMs`.
 */
export async function enqueueEvent(
  queue: Queue<EventJobData>,
  /** The connection the queue was created with (the EXISTS must share its socket). */
  redis: Redis,
  data: EventJobData,
  options: JobsOptions,
  timeoutMs: number,
): Promise<EnqueueOutcome> {
  if (redis.status !== 'ready')
    throw new RedisUnavailableError(`Redis connection is ${redis.status}`);
  const jobId = eventJobId(data.event);
  const enqueue = async () => {
    await queue.waitUntilReady();
    const [exists] = await Promise.all([
      redis.exists(queue.toKey(jobId)),
      queue.add(data.event.Event, data, { ...options, jobId }),
    ]);
    return exists === 1 ? 'duplicate' : 'accepted';
  };
  return withTimeout(
    enqueue(),
    timeoutMs,
    () => new RedisUnavailableError(`Redis did not answer within ${timeoutMs} ms`),
  );
}
