import { Queue, type JobType } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { QUEUE_NAMES } from './catalog';
import {
  decidePartitionCount,
  MAX_QUEUE_PARTITIONS,
  parseRecordedPartitions,
  servedElsewhereMessage,
  type PartitionCountDecision,
} from './partition-count-decision';
import {
  claimPartitionCount,
  partitionLeasesKey,
  type PartitionLeaseSpec,
} from './partition-lease';
import { partitionPrefix } from './partitions';

export type { PartitionCountDecision } from './partition-count-decision';

/**
 * The partition count the queues were last served with, kept at `{prefix}:queue-partitions` (the
 * base prefix's slot). Changing QUEUE_PARTITIONS moves tenants to other partitions: jobs left in
 * the old ones would wait there (a partition past the new count has no worker), and an EventId's
 * dedup marker stays behind in its old partition. So a worker refuses to start with a count that
 * differs from the recorded one while any partition of either count still holds work. No key
 * means 1 (queues written before partitions existed), and a count of 1 is never written: with the
 * default every key stays what it was. A count that matches is not enough either: a receiver at 8
 * and workers at 1 (nothing recorded) strand 7/8 of the tenants, so every start also reads the
 * partitions past the configured count, up to the max, and refuses while they hold work.
 */
export function partitionCountKey(prefix: string): string {
  return `${prefix}:queue-partitions`;
}

/** Jobs not yet done: anything but completed, and failed ones where no worker will look. */
async function unfinished(queue: Queue, alsoFailed: boolean): Promise<number> {
  const states: JobType[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];
  if (alsoFailed) states.push('failed');
  const counts = await queue.getJobCounts(...states);
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/**
 * The unfinished jobs of partitions `from`…`to - 1` of so-events and so-enrich (failed ones too
 * from `failedFrom` on). Read only: the queues skip the meta key a Queue otherwise writes into
 * every partition it is made for, and are closed before it returns.
 */
export async function unfinishedInPartitions(
  connection: Redis | Cluster,
  prefix: string,
  range: { readonly from: number; readonly to: number; readonly failedFrom: number },
): Promise<number> {
  const queues: { queue: Queue; partition: number }[] = [];
  for (const name of [QUEUE_NAMES.events, QUEUE_NAMES.enrich])
    for (let partition = range.from; partition < range.to; partition++) {
      const queue = new Queue(name, {
        connection,
        prefix: partitionPrefix(prefix, partition),
        skipVersionCheck: true,
        skipWaitingForReady: true,
        skipMetasUpdate: true,
      });
      // A command's error rejects its call; the listener keeps the emitter from throwing too.
      queue.on('error', () => undefined);
      queues.push({ queue, partition });
    }
  try {
    const counts = await Promise.all(
      queues.map(({ queue, partition }) => unfinished(queue, partition >= range.failedFrom)),
    );
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(queues.map(({ queue }) => queue.close().catch(() => undefined)));
  }
}

/** Times the recorded count may change under a starting worker before it gives up. */
const CLAIM_ATTEMPTS = 3;

/**
 * Reads the recorded count and the unfinished jobs past the configured count (every start), and
 * those under it when the recorded count differs; then, in one script, records the configured
 * count when that is safe and takes the worker's `lease` (partition-lease.ts): refused while a
 * running worker's lease serves another count, and read again when the recorded count changed
 * since it was read (another worker starting at the same moment).
 */
export async function checkPartitionCount(
  connection: Redis | Cluster,
  prefix: string,
  configured: number,
  lease?: PartitionLeaseSpec,
): Promise<PartitionCountDecision> {
  const key = partitionCountKey(prefix);
  for (let attempt = 1; ; attempt++) {
    const raw = await connection.get(key);
    const recorded = parseRecordedPartitions(raw);
    const top = Math.max(MAX_QUEUE_PARTITIONS, configured);
    const beyond = await unfinishedInPartitions(connection, prefix, {
      from: configured,
      to: top,
      failedFrom: configured,
    });
    const below =
      recorded === configured
        ? 0
        : await unfinishedInPartitions(connection, prefix, {
            from: 0,
            to: configured,
            failedFrom: configured,
          });
    const decision = decidePartitionCount(recorded, configured, below, beyond);
    if (decision.kind === 'refuse') return decision;
    const claim = await claimPartitionCount(
      connection,
      { count: key, leases: partitionLeasesKey(prefix) },
      { configured, seen: raw, record: decision.kind === 'record', lease },
    );
    if (claim.kind === 'claimed') return decision;
    if (claim.kind === 'served')
      return {
        kind: 'refuse',
        message: servedElsewhereMessage(configured, claim.counts, lease?.ttlMs ?? 0),
      };
    if (attempt === CLAIM_ATTEMPTS)
      return {
        kind: 'refuse',
        message: `QUEUE_PARTITIONS is ${configured} but the recorded count changed ${CLAIM_ATTEMPTS} times while this worker checked the queues: workers with different QUEUE_PARTITIONS are starting; set the same value everywhere (docs/architecture.md "Partitions")`,
      };
  }
}
