import type { Queue } from 'bullmq';
import { partitionLabel, partitionOf, queuesNamed, type LabelledQueue } from '@so-connector/queue';
import type { QueueCounts } from './pages/dashboard.page';

/**
 * The admin UI's queues: every partition of each (createDeploymentQueues), or plain queues (one
 * partition: each is its own label).
 */
export type AdminQueueList = readonly (Queue | LabelledQueue)[];

export function labelled(queues: AdminQueueList): LabelledQueue[] {
  return queues.map((q) =>
    'label' in q && 'queue' in q ? q : { queue: q as Queue, partition: 0, label: q.name },
  );
}

/**
 * The label of `tenant`'s partition of a queue, as Bull Board lists it: a job a sync run refers to
 * (by queue name) is in its tenant's partition. A queue that is not partitioned keeps its name.
 */
export function tenantQueueLabel(
  queues: readonly LabelledQueue[],
  tenant: string,
  queueName: string,
): string {
  const partitions = queuesNamed(queues, queueName).length;
  if (partitions <= 1) return queueName;
  return partitionLabel(queueName, partitionOf(tenant, partitions));
}

/** Counts per queue name, every partition added up (the dashboard's table). */
export async function queueCounts(queues: readonly LabelledQueue[]): Promise<QueueCounts[]> {
  const read = await Promise.all(
    queues.map(async ({ queue }) => ({
      name: queue.name,
      counts: await queue.getJobCounts('waiting', 'delayed', 'active', 'failed'),
    })),
  );
  const byName = new Map<string, QueueCounts>();
  for (const { name, counts } of read) {
    const sum = byName.get(name) ?? {
      name,
      partitions: 0,
      waiting: 0,
      delayed: 0,
      active: 0,
      failed: 0,
    };
    byName.set(name, {
      name,
      partitions: (sum.partitions ?? 0) + 1,
      waiting: sum.waiting + (counts.waiting ?? 0),
      delayed: sum.delayed + (counts.delayed ?? 0),
      active: sum.active + (counts.active ?? 0),
      failed: sum.failed + (counts.failed ?? 0),
    });
  }
  return [...byName.values()];
}
