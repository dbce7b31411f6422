import {
  decidePartitionCount,
  MAX_QUEUE_PARTITIONS,
  parseRecordedPartitions,
  partitionCountMismatch,
  servedElsewhereMessage,
} from './partition-count-decision';
import { partitionCountKey } from './partition-count';
import { partitionLeasesKey } from './partition-lease';

describe('decidePartitionCount', () => {
  it('changes nothing when the count is the recorded one and nothing waits past it', () => {
    expect(decidePartitionCount(8, 8, 100, 0)).toEqual({ kind: 'same' });
  });

  it('records a new count once the queues are drained', () => {
    expect(decidePartitionCount(1, 8, 0, 0)).toEqual({ kind: 'record' });
    expect(decidePartitionCount(8, 1, 0, 0)).toEqual({ kind: 'record' });
    expect(decidePartitionCount(undefined, 4, 0, 0)).toEqual({ kind: 'record' });
  });

  it('refuses a new count while work is left, in one line naming QUEUE_PARTITIONS', () => {
    const decision = decidePartitionCount(8, 4, 3, 0);
    expect(decision.kind).toBe('refuse');
    const message = decision.kind === 'refuse' ? decision.message : '';
    expect(message).toMatch(/^QUEUE_PARTITIONS is 4 but the queues were served with 8 /);
    expect(message).toContain('3 unfinished job(s)');
    expect(message).not.toContain('\n');
  });

  it('refuses the recorded count while partitions past it hold work (receivers at a larger count)', () => {
    // Nothing recorded (= 1), a worker at 1, a receiver at 8 queued into p1…p7.
    const decision = decidePartitionCount(1, 1, 0, 7);
    expect(decision.kind).toBe('refuse');
    const message = decision.kind === 'refuse' ? decision.message : '';
    expect(message).toMatch(/^QUEUE_PARTITIONS is 1 but partitions from 1 on hold 7 unfinished/);
    expect(message).not.toContain('\n');
  });

  it('names an unknown recorded count as such, not as NaN', () => {
    const decision = decidePartitionCount(undefined, 4, 1, 0);
    expect(decision.kind === 'refuse' && decision.message).toContain(
      'served with an unknown count',
    );
    expect(JSON.stringify(decision)).not.toContain('NaN');
  });
});

describe('parseRecordedPartitions', () => {
  it('reads no key as 1 and a whole number up to the max as itself', () => {
    expect(parseRecordedPartitions(null)).toBe(1);
    expect(parseRecordedPartitions('8')).toBe(8);
    expect(parseRecordedPartitions(String(MAX_QUEUE_PARTITIONS))).toBe(MAX_QUEUE_PARTITIONS);
  });

  it('reads anything else as unknown', () => {
    for (const raw of ['', 'eight', '0', '-2', '2.5', '1e1', String(MAX_QUEUE_PARTITIONS + 1)])
      expect(parseRecordedPartitions(raw)).toBeUndefined();
  });
});

describe('partitionCountMismatch', () => {
  it('is silent when the configured count is the recorded one (none recorded = 1)', () => {
    expect(partitionCountMismatch(null, 1)).toBeUndefined();
    expect(partitionCountMismatch('8', 8)).toBeUndefined();
  });

  it('reports a receiver at 8 while nothing is recorded (workers at 1)', () => {
    expect(partitionCountMismatch(null, 8)).toMatch(
      /^QUEUE_PARTITIONS is 8 but the workers serve 1 partition\(s\)/,
    );
  });

  it('reports a count that differs, and a garbage one without NaN', () => {
    expect(partitionCountMismatch('4', 8)).toMatch(
      /^QUEUE_PARTITIONS is 8 but the workers serve 4/,
    );
    const garbage = partitionCountMismatch('x', 8) ?? '';
    expect(garbage).toContain('the recorded count is not one ("x")');
    expect(garbage).not.toContain('NaN');
  });
});

describe('partitionCountKey', () => {
  it('is a key of the base prefix (its slot on a Cluster)', () => {
    expect(partitionCountKey('{so}')).toBe('{so}:queue-partitions');
  });

  it('shares its hash tag with the leases key, so one script may touch both on a Cluster', () => {
    expect(partitionLeasesKey('{so}')).toBe('{so}:queue-partitions:leases');
  });
});

describe('servedElsewhereMessage', () => {
  it('names QUEUE_PARTITIONS, every count served and how long a dead worker holds its lease', () => {
    const message = servedElsewhereMessage(2, [4, 8], 30_000);
    expect(message).toMatch(/^QUEUE_PARTITIONS is 2 but running workers serve 4 and 8 partition/);
    expect(message).toContain('holds its lease up to 30 s');
    expect(message).not.toContain('\n');
  });
});
