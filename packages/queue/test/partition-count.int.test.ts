import { randomBytes } from 'node:crypto';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { checkPartitionCount, closeRedis, createQueuePartitions, partitionCountKey } from '../src';

// The worker's start-up check of QUEUE_PARTITIONS against the count the queues were served with.
let redis: TestRedis;
let connection: Redis;
let prefix: string;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});
beforeEach(() => {
  prefix = `${redis.prefix}-${randomBytes(3).toString('hex')}`;
});
afterAll(async () => {
  await closeRedis(connection);
  await redis.cleanup();
});

/** Runs `work` with the `so-events` partitions of the test's prefix, closed afterwards. */
async function withEvents(
  partitions: number,
  work: (queues: ReturnType<typeof createQueuePartitions>) => Promise<void>,
) {
  const queues = createQueuePartitions(connection, prefix, partitions, 'so-events');
  try {
    await work(queues);
  } finally {
    await Promise.all(queues.map((q) => q.queue.close()));
  }
}

describe('checkPartitionCount', () => {
  it('with the default (1) and nothing recorded, writes nothing', async () => {
    expect(await checkPartitionCount(connection, prefix, 1)).toEqual({ kind: 'same' });
    expect(await connection.exists(partitionCountKey(prefix))).toBe(0);
  });

  it('records a new count on drained queues, and takes the same count again', async () => {
    expect(await checkPartitionCount(connection, prefix, 4)).toEqual({ kind: 'record' });
    expect(await connection.get(partitionCountKey(prefix))).toBe('4');
    expect(await checkPartitionCount(connection, prefix, 4)).toEqual({ kind: 'same' });
  });

  it('refuses a change while a partition of either count holds a waiting job', async () => {
    await checkPartitionCount(connection, prefix, 4);
    await withEvents(4, async (queues) => {
      await queues[3]!.queue.add('contact.changed', { tenant: 'CustX' });
      const decision = await checkPartitionCount(connection, prefix, 2);
      expect(decision).toMatchObject({ kind: 'refuse' });
      expect(decision.kind === 'refuse' && decision.message).toMatch(
        /^QUEUE_PARTITIONS is 2 but the queues were served with 4 and still hold 1 unfinished job/,
      );
      // Refused: the recorded count is unchanged.
      expect(await connection.get(partitionCountKey(prefix))).toBe('4');
    });
  });

  it('checks a change from the default (nothing recorded) against partition 0', async () => {
    await withEvents(1, async (queues) => {
      await queues[0]!.queue.add('contact.changed', { tenant: 'CustX' }, { delay: 60_000 });
      expect(await checkPartitionCount(connection, prefix, 8)).toMatchObject({ kind: 'refuse' });
      expect(await connection.exists(partitionCountKey(prefix))).toBe(0);
    });
  });

  it('counts failed jobs only in the partitions the new count drops', async () => {
    await checkPartitionCount(connection, prefix, 4);
    await withEvents(4, async (queues) => {
      const failing = new Worker('so-events', () => Promise.reject(new Error('fails on purpose')), {
        connection,
        prefix: queues[1]!.queue.opts.prefix!,
      });
      try {
        const job = await queues[1]!.queue.add('contact.changed', { tenant: 'CustX' });
        await waitFor(async () => (await job.getState()) === 'failed', { what: 'the job to fail' });
      } finally {
        await failing.close();
      }
      // Partition 1 goes with QUEUE_PARTITIONS=1: its failed job would never be looked at again.
      expect(await checkPartitionCount(connection, prefix, 1)).toMatchObject({ kind: 'refuse' });
      // It stays with 2; a failed job is no work left.
      expect(await checkPartitionCount(connection, prefix, 2)).toEqual({ kind: 'record' });
    });
  });

  it('refuses the recorded count while a partition past it holds work (a receiver at more)', async () => {
    // Nothing recorded (= 1): a worker at 1, but a receiver at 8 queued into partition 5.
    await withEvents(8, async (queues) => {
      await queues[5]!.queue.add('contact.changed', { tenant: 'CustX' });
      const decision = await checkPartitionCount(connection, prefix, 1);
      expect(decision.kind === 'refuse' && decision.message).toMatch(
        /^QUEUE_PARTITIONS is 1 but partitions from 1 on hold 1 unfinished job/,
      );
    });
  });

  it('reads partitions without writing their meta keys', async () => {
    expect(await checkPartitionCount(connection, prefix, 4)).toEqual({ kind: 'record' });
    // Only the record: no `{partition prefix}:so-events:meta` of the 2 × 16 queues it read.
    expect(await connection.keys(`${prefix}*`)).toEqual([partitionCountKey(prefix)]);
  });

  it('going back to 1 once drained removes the record', async () => {
    await checkPartitionCount(connection, prefix, 8);
    expect(await checkPartitionCount(connection, prefix, 1)).toEqual({ kind: 'record' });
    expect(await connection.exists(partitionCountKey(prefix))).toBe(0);
  });
});
