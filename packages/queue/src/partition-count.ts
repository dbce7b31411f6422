import type { JobType, Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { createQueuePartitions } from './partitioned-queues';
import { QUEUE_NAMES } from './catalog';

/**
 * The partition count the queues were last served with, kept at `{prefix}:queue-partitions` (the
 * base prefix's slot). Changing QUEUE_PARTITIONS moves tenants to other partitions: jobs left in
 * the old ones would wait there (a partition past the new count has no worker), and an EventId's
 * dedup marker stays behind in its old partition. So a worker refuses to start with a count that
 * differs from the recorded one while any partition of either count still holds work. No key
 * means 1 (queues written before partitions existed), and a count of 1 is never written: with the
 * default every key stays what it was.
 */
export function partitionCountKey(prefix: string): string {
  return `${prefix}:queue-partitions`;
}

export type PartitionCountDecision =
  | { readonly kind: 'same' }
  /** The queues are drained: record the configured count. */
  | { readonly kind: 'record' }
  | { readonly kind: 'refuse'; readonly message: string };

/** What to do about the recorded count, given the unfinished jobs of the partitions concerned. */
export function decidePartitionCount(
  recorded: number,
  configured: number,
  unfinishedJobs: number,
): PartitionCountDecision {
  if (recorded === configured) return { kind: 'same' };
  if (unfinishedJobs === 0) return { kind: 'record' };
  return {
    kind: 'refuse',
    message: `QUEUE_PARTITIONS is ${configured} but the queues were served with ${recorded} and still hold ${unfinishedJobs} unfinished job(s): stop the receivers, let the workers (at ${recorded}) drain so-events and so-enrich, then change it (docs/architecture.md "Partitions")`,
  };
}

/** Jobs not yet done: anything but completed, and failed ones where no worker will look. */
async function unfinished(queues: readonly Queue[], alsoFailed: boolean): Promise<number> {
  const states: JobType[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];
  if (alsoFailed) states.push('failed');
  const counts = await Promise.all(queues.map((q) => q.getJobCounts(...states)));
  return counts.flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
}

/**
 * Reads the recorded count, counts the unfinished jobs of both counts' partitions when it differs
 * (failed ones too in partitions the configured count drops), and records the configured count
 * when that is safe. The queues it reads are closed before it returns.
 */
export async function checkPartitionCount(
  connection: Redis | Cluster,
  prefix: string,
  configured: number,
): Promise<PartitionCountDecision> {
  const key = partitionCountKey(prefix);
  const raw = await connection.get(key);
  const parsed = raw === null ? 1 : Number(raw);
  // A value nobody could have written (edited by hand) counts as unknown: every partition is read.
  const recorded = Number.isInteger(parsed) && parsed >= 1 ? parsed : 64;
  let jobs = 0;
  if (recorded !== configured) {
    const widest = Math.max(recorded, configured);
    const queues = [QUEUE_NAMES.events, QUEUE_NAMES.enrich].flatMap((name) =>
      createQueuePartitions(connection, prefix, widest, name),
    );
    try {
      for (const { queue, partition } of queues)
        jobs += await unfinished([queue], partition >= configured);
    } finally {
      await Promise.all(queues.map(({ queue }) => queue.close().catch(() => undefined)));
    }
  }
  const decision = decidePartitionCount(recorded, configured, jobs);
  if (decision.kind === 'record') {
    if (configured === 1) await connection.del(key);
    else await connection.set(key, String(configured));
  }
  return decision;
}
