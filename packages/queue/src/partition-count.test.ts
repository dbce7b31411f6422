import { decidePartitionCount, partitionCountKey } from './partition-count';

describe('decidePartitionCount', () => {
  it('changes nothing when the count is the recorded one, whatever waits', () => {
    expect(decidePartitionCount(8, 8, 100)).toEqual({ kind: 'same' });
  });

  it('records a new count once the queues are drained', () => {
    expect(decidePartitionCount(1, 8, 0)).toEqual({ kind: 'record' });
    expect(decidePartitionCount(8, 1, 0)).toEqual({ kind: 'record' });
  });

  it('refuses a new count while work is left, in one line naming QUEUE_PARTITIONS', () => {
    const decision = decidePartitionCount(8, 4, 3);
    expect(decision.kind).toBe('refuse');
    const message = decision.kind === 'refuse' ? decision.message : '';
    expect(message).toMatch(/^QUEUE_PARTITIONS is 4 but the queues were served with 8 /);
    expect(message).toContain('3 unfinished job(s)');
    expect(message).not.toContain('\n');
  });
});

describe('partitionCountKey', () => {
  it('is a key of the base prefix (its slot on a Cluster)', () => {
    expect(partitionCountKey('{so}')).toBe('{so}:queue-partitions');
  });
});
