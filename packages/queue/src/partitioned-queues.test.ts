import type { Queue } from 'bullmq';
import { allPartitions, queueFor, queuePartitions } from './partitioned-queues';
import { partitionOf } from './partitions';

// Stand-ins: queueFor only picks among the queues it is given.
const fake = (label: string) => ({ name: 'so-events', label }) as unknown as Queue;

describe('queuePartitions / queueFor', () => {
  const queues = Array.from({ length: 8 }, (_, p) => fake(`p${p}`));
  const partitioned = queuePartitions(queues);

  it("gives a tenant its partition's queue", () => {
    for (const tenant of ['Cust1001', 'Cust1002', 'Cust12345'])
      expect(queueFor(partitioned, tenant)).toBe(queues[partitionOf(tenant, 8)]);
  });

  it('takes a plain queue as one partition', () => {
    const one = fake('only');
    expect(queueFor(one, 'Cust1002')).toBe(one);
    expect(allPartitions(one)).toEqual([one]);
    expect(allPartitions(partitioned)).toEqual(queues);
  });

  it('refuses no partitions at all', () => {
    expect(() => queuePartitions([])).toThrow(RangeError);
  });
});
