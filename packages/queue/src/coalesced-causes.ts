import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';

/** How many causes (EventIds, `reconcile:…`, `cli:…`) one enrichment keeps for its log line. */
export const MAX_COALESCED_CAUSES = 50;
/** A list no job took (its job was removed by hand) does not stay in Redis for ever. */
const CAUSES_TTL_MS = 7 * 24 * 3_600_000;

const causesKey = (queue: Queue, dedupId: string) => queue.toKey(`causes:${dedupId}`);
/** Our queues run on ioredis connections (createRedisConnection); BullMQ types only its subset. */
const clientOf = async (queue: Queue) => (await queue.client) as unknown as Redis | Cluster;

/**
 * Appends what asked for an enrichment to the record's list of causes, atomically: every producer
 * of a debounce window pushes here, whatever the order in which they join the one pending job.
 * (The job's data cannot collect them: with `replace` each request's data replaces the last, and
 * two producers reading and rewriting it at once would lose one.) The key sits under the queue's
 * prefix, so it shares the queue's hash slot on Redis Cluster.
 */
export async function recordCause(queue: Queue, dedupId: string, cause: string): Promise<void> {
  const redis = await clientOf(queue);
  const key = causesKey(queue, dedupId);
  await redis
    .multi()
    .rpush(key, cause)
    .ltrim(key, -MAX_COALESCED_CAUSES, -1)
    .pexpire(key, CAUSES_TTL_MS)
    .exec();
}

/**
 * Takes the causes recorded so far (oldest first) and empties the list, atomically: an enrichment
 * calls it when it starts, so requests that arrive while it runs are left for the enrichment
 * BullMQ keeps for afterwards (keepLastIfActive).
 */
export async function takeCauses(queue: Queue, dedupId: string): Promise<string[]> {
  const redis = await clientOf(queue);
  const key = causesKey(queue, dedupId);
  const results = await redis.multi().lrange(key, 0, -1).del(key).exec();
  const [error, causes] = results?.[0] ?? [null, []];
  if (error) throw error;
  return causes as string[];
}

/** `known` with `more` appended, each cause once, the newest MAX_COALESCED_CAUSES kept. */
export function mergeCauses(known: readonly string[], more: readonly string[]): string[] {
  const merged = [...new Set([...known, ...more])];
  return merged.slice(Math.max(0, merged.length - MAX_COALESCED_CAUSES));
}
