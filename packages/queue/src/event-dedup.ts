import type { JobsOptions, Queue } from 'bullmq';
import { eventJobId } from './job-ids';
import { eventJobOptions, type CompletedEventRetention } from './job-options';
import type { WebhookEvent } from './payloads';

/**
 * The options of one `so-events` add: `jobId` = EventId, and BullMQ's deduplication in throttle
 * mode, `{ id: EventId, ttl: the dedup window }`, which keeps a small marker
 * (`<prefix>:so-events:de:<EventId>`, ~150 bytes) for the whole window while the ~2.7 KB job body
 * goes once the recent window of `keepCompleted` has passed.
 *
 * How BullMQ 5.81 treats the marker (its Lua scripts, `addStandardJob`/`addPrioritizedJob`,
 * `deduplicateJobWithoutReplace`, `removeDeduplicationKeyIfNeededOnFinalization`, `removeJob`):
 * - The add is one script: it returns the existing job when the job key exists, else does
 *   `SET de:<id> <jobId> PX ttl NX` and returns the marked job's id when the marker exists, else
 *   stores the job. Marker and job are written by the same script, so Redis (and its AOF) has both
 *   or neither: a 200 "accepted" never rests on a marker without its job.
 * - Completion and failure keep a marker whose TTL has not run out; removeOnComplete/removeOnFail
 *   by age or count delete the job keys only, never the marker.
 * - An explicit removal (Bull Board "remove"/"clean", `job.remove`, `queue.clean`) deletes the
 *   marker with the job: a removed EventId is new again, as it was before the marker.
 */
export function eventAddOptions(
  event: Pick<WebhookEvent, 'EventId'>,
  dedupWindowSeconds: number,
  keepCompleted?: CompletedEventRetention,
): JobsOptions & { jobId: string } {
  const jobId = eventJobId(event);
  return {
    ...eventJobOptions(dedupWindowSeconds, keepCompleted),
    jobId,
    deduplication: { id: jobId, ttl: dedupWindowSeconds * 1000 },
  };
}

/**
 * The two keys whose existence says that `so-events` already knows an EventId: its job (kept while
 * it waits, runs, failed, or completed within the recent window) and its dedup marker (kept for
 * the dedup window). `EXISTS` of both counts how many are there; any means "duplicate". Both are
 * keys of the one queue, so they share its hash slot on a Redis Cluster.
 */
export function eventSeenKeys(
  queue: Pick<Queue, 'toKey' | 'keys'>,
  jobId: string,
): [string, string] {
  return [queue.toKey(jobId), `${queue.keys.de}:${jobId}`];
}
