import type { Queue } from 'bullmq';
import { QUEUE_NAMES, type QueueName } from './catalog';
import type { Cluster, Redis } from 'ioredis';
import { partitionLabel, partitionOf, partitionPrefixes } from './partitions';
import type { EnrichJobData, EventJobData } from './payloads';
import { createEnrichQueue, createEventsQueue, createMaintenanceQueue } from './queues';

/** One queue split into partitions (QUEUE_PARTITIONS): `all[p]` is partition p's queue. */
export interface QueuePartitions<T> {
  readonly all: readonly Queue<T>[];
  /** The queue of the tenant's partition. */
  of(tenant: string): Queue<T>;
}

/** A queue, or its partitions: what producers take, so a plain queue is one partition. */
export type PartitionedQueue<T> = Queue<T> | QueuePartitions<T>;

export function queuePartitions<T>(queues: readonly Queue<T>[]): QueuePartitions<T> {
  if (queues.length === 0) throw new RangeError('a queue needs at least one partition');
  const all = [...queues];
  return { all, of: (tenant) => all[partitionOf(tenant, all.length)]! };
}

function isPartitions<T>(queue: PartitionedQueue<T>): queue is QueuePartitions<T> {
  return 'all' in queue && Array.isArray(queue.all);
}

/** The queue a tenant's jobs go to. */
export function queueFor<T>(queue: PartitionedQueue<T>, tenant: string): Queue<T> {
  return isPartitions(queue) ? queue.of(tenant) : queue;
}

/** Every partition's queue (a plain queue: itself). */
export function allPartitions<T>(queue: PartitionedQueue<T>): readonly Queue<T>[] {
  return isPartitions(queue) ? queue.all : [queue];
}

/**
 * The partition a job came from, by its prefix: not recomputed from its tenant, so a job a
 * producer at another QUEUE_PARTITIONS put in another partition still meets the keys beside it
 * (its coalesced causes). Undefined for a prefix none of the partitions has.
 */
export function partitionOfJob<T>(
  queue: PartitionedQueue<T>,
  job: { readonly prefix: string },
): Queue<T> | undefined {
  return allPartitions(queue).find((q) => q.opts.prefix === job.prefix);
}

/** `so-events`, one queue per partition (producer side; see createEventsQueue). */
export function createEventsQueues(
  connection: Redis | Cluster,
  prefix: string,
  partitions: number,
): QueuePartitions<EventJobData> {
  return queuePartitions(
    partitionPrefixes(prefix, partitions).map((p) => createEventsQueue(connection, p)),
  );
}

/** `so-enrich`, one queue per partition (producer side; see createEnrichQueue). */
export function createEnrichQueues(
  connection: Redis | Cluster,
  prefix: string,
  partitions: number,
): QueuePartitions<EnrichJobData> {
  return queuePartitions(
    partitionPrefixes(prefix, partitions).map((p) => createEnrichQueue(connection, p)),
  );
}

/** A queue of the deployment as operators see it: its partition and its label (partitionLabel). */
export interface LabelledQueue {
  readonly queue: Queue;
  readonly partition: number;
  /** Unique among the deployment's queues: the name for partition 0, `p{p}.{name}` after it. */
  readonly label: string;
}

/**
 * Every queue of the deployment, for those who read them all (dashboard, Bull Board, CLI):
 * `so-events` and `so-enrich` of each partition, then `so-maintenance` (partition 0 only: its
 * schedulers and backfills are light, docs/architecture.md "Partitions"). With one partition:
 * the three queues of before, labelled with their names.
 */
export function createDeploymentQueues(
  connection: Redis | Cluster,
  prefix: string,
  partitions: number,
): LabelledQueue[] {
  return [QUEUE_NAMES.events, QUEUE_NAMES.enrich, QUEUE_NAMES.maintenance].flatMap((name) =>
    createQueuePartitions(connection, prefix, partitions, name),
  );
}

/**
 * Every partition of one queue, labelled, in partition order: `partitions` of `so-events` and
 * `so-enrich`, the one `so-maintenance`. The CLI's queue commands read them through this.
 */
export function createQueuePartitions(
  connection: Redis | Cluster,
  prefix: string,
  partitions: number,
  name: QueueName,
): LabelledQueue[] {
  if (name === QUEUE_NAMES.maintenance)
    return [
      { queue: createMaintenanceQueue(connection, prefix) as Queue, partition: 0, label: name },
    ];
  const create = name === QUEUE_NAMES.events ? createEventsQueue : createEnrichQueue;
  return partitionPrefixes(prefix, partitions).map((p, partition) => ({
    queue: create(connection, p) as Queue,
    partition,
    label: partitionLabel(name, partition),
  }));
}

/** The deployment's queues of one name (every partition of it). */
export function queuesNamed(queues: readonly LabelledQueue[], name: string): LabelledQueue[] {
  return queues.filter((q) => q.queue.name === name);
}
