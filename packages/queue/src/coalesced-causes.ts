import type { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { LuaScript } from './lua-script';

/** How many causes (EventIds, `reconcile:…`, `cli:…`) one enrichment keeps for its log line. */
export const MAX_COALESCED_CAUSES = 50;
/** A list no job took (its job was removed by hand) does not stay in Redis for ever. */
const CAUSES_TTL_MS = 7 * 24 * 3_600_000;

/**
 * One script each rather than a MULTI: a MULTI on the connection BullMQ uses builds an ioredis
 * pipeline, which copies each of BullMQ's scripts onto itself first (a flood's every event pays it).
 */
const RECORD_CAUSE = new LuaScript(`
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('GET', KEYS[2])`);

const TAKE_CAUSES = new LuaScript(`
local causes = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return causes`);

const causesKey = (queue: Queue, dedupId: string) => queue.toKey(`causes:${dedupId}`);
/** Our queues run on ioredis connections (createRedisConnection); BullMQ types only its subset. */
const clientOf = async (queue: Queue) => (await queue.client) as unknown as Redis | Cluster;

/**
 * Appends what asked for an enrichment to the record's list of causes, atomically: every producer
 * of a debounce window pushes here, whatever the order in which they join the one pending job.
 * (The job's data cannot collect them: with `replace` each request's data replaces the last, and
 * two producers reading and rewriting it at once would lose one.) The key sits under the queue's
 * prefix, so it shares the queue's hash slot on Redis Cluster.
 *
 * In the same round trip, returns the id of the record's pending job, if any: what
 * `queue.getDeduplicationJobId(dedupId)` reads (`{queue.keys.de}:{dedupId}`), read after the push.
 */
export async function recordCause(
  queue: Queue,
  dedupId: string,
  cause: string,
): Promise<string | undefined> {
  const pending = await RECORD_CAUSE.run(
    await clientOf(queue),
    [causesKey(queue, dedupId), `${queue.keys.de}:${dedupId}`],
    [cause, MAX_COALESCED_CAUSES, CAUSES_TTL_MS],
  );
  return typeof pending === 'string' ? pending : undefined;
}

/**
 * Takes the causes recorded so far (oldest first) and empties the list, atomically: an enrichment
 * calls it when it starts, so requests that arrive while it runs are left for the enrichment
 * BullMQ keeps for afterwards (keepLastIfActive).
 */
export async function takeCauses(queue: Queue, dedupId: string): Promise<string[]> {
  const causes = await TAKE_CAUSES.run(await clientOf(queue), [causesKey(queue, dedupId)]);
  return (causes as unknown[]).map(String);
}

/** `known` with `more` appended, each cause once, the newest MAX_COALESCED_CAUSES kept. */
export function mergeCauses(known: readonly string[], more: readonly string[]): string[] {
  const merged = [...new Set([...known, ...more])];
  return merged.slice(Math.max(0, merged.length - MAX_COALESCED_CAUSES));
}
