import { randomBytes } from 'node:crypto';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { Redis } from 'ioredis';
import {
  closeRedis,
  createQueuePartitions,
  partitionCountKey,
  partitionCountProblem,
  watchPartitionCount,
} from '../src';

// The receiver's and the running worker's check of QUEUE_PARTITIONS (start and every interval).
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

describe('partitionCountProblem', () => {
  it('reports a receiver at 8 while nothing is recorded (workers at 1)', async () => {
    expect(await partitionCountProblem(connection, prefix, 8)).toMatch(
      /^QUEUE_PARTITIONS is 8 but the workers serve 1 partition/,
    );
    expect(await partitionCountProblem(connection, prefix, 1)).toBeUndefined();
    await connection.set(partitionCountKey(prefix), '8');
    expect(await partitionCountProblem(connection, prefix, 8)).toBeUndefined();
  });

  it('reports work queued past the count by a process with a larger one', async () => {
    const queues = createQueuePartitions(connection, prefix, 8, 'so-enrich');
    try {
      await queues[6]!.queue.add('enrich', { tenant: 'CustX' }, { delay: 60_000 });
      expect(await partitionCountProblem(connection, prefix, 1)).toMatch(
        /^QUEUE_PARTITIONS is 1 but partitions from 1 on hold 1 unfinished job/,
      );
    } finally {
      await Promise.all(queues.map((q) => q.queue.close()));
    }
  });
});

describe('watchPartitionCount', () => {
  it('reports a problem once while it lasts, and again when it is gone', async () => {
    const reports: (string | undefined)[] = [];
    const watch = watchPartitionCount({
      check: () => partitionCountProblem(connection, prefix, 4),
      intervalMs: 20,
      report: (problem) => reports.push(problem),
    });
    try {
      await waitFor(() => reports.length === 1, { what: 'the first report' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(reports).toEqual([expect.stringMatching(/^QUEUE_PARTITIONS is 4 but/)]);
      await connection.set(partitionCountKey(prefix), '4');
      await waitFor(() => reports.length === 2, { what: 'the all-clear' });
      expect(reports[1]).toBeUndefined();
    } finally {
      watch.stop();
    }
  });
});
