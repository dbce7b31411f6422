import type { Queue } from 'bullmq';
import { partitionOf, type LabelledQueue } from '@so-connector/queue';
import { labelled, tenantQueueLabel } from './admin-queues';

const queue = (name: string) => ({ name }) as unknown as Queue;
const partitioned = (name: string, count: number): LabelledQueue[] =>
  Array.from({ length: count }, (_, p) => ({
    queue: queue(name),
    partition: p,
    label: p === 0 ? name : `p${p}.${name}`,
  }));

describe('labelled', () => {
  it('labels plain queues with their names, keeps labelled ones', () => {
    const plain = queue('so-events');
    const [given] = partitioned('so-enrich', 2).slice(1);
    expect(labelled([plain, given!])).toEqual([
      { queue: plain, partition: 0, label: 'so-events' },
      given,
    ]);
  });
});

describe('tenantQueueLabel', () => {
  const queues = [...partitioned('so-events', 8), ...partitioned('so-maintenance', 1)];

  it("names the tenant's partition of a partitioned queue", () => {
    const p = partitionOf('Cust1003', 8);
    expect(p).toBeGreaterThan(0);
    expect(tenantQueueLabel(queues, 'Cust1003', 'so-events')).toBe(`p${p}.so-events`);
    expect(tenantQueueLabel(queues, 'Cust1001', 'so-events')).toBe('so-events');
  });

  it('keeps the name of a queue with one partition', () => {
    expect(tenantQueueLabel(queues, 'Cust1003', 'so-maintenance')).toBe('so-maintenance');
  });
});
