import { randomBytes } from 'node:crypto';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  checkPartitionCount,
  claimPartitionCount,
  closeRedis,
  createQueuePartitions,
  partitionCountKey,
  partitionLeasesKey,
  releasePartitionLease,
  renewPartitionLease,
  type PartitionLeaseSpec,
} from '../src';

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

// The running workers' leases on the count: a worker that would record another count is refused
// while one of them runs, and two workers starting at once cannot both record theirs.
const aLease = (ttlMs = 30_000): PartitionLeaseSpec => ({
  id: `test:${randomBytes(4).toString('hex')}`,
  ttlMs,
});

describe('partition-count leases', () => {
  it('of two workers starting at once on drained queues with 4 and 8, exactly one starts', async () => {
    // Ten pairs, each on fresh keys, started in the same tick: before the leases both recorded
    // their count (the last write won) and both started.
    for (let pair = 0; pair < 10; pair++) {
      prefix = `${redis.prefix}-${randomBytes(3).toString('hex')}`;
      const [four, eight] = await Promise.all([
        checkPartitionCount(connection, prefix, 4, aLease()),
        checkPartitionCount(connection, prefix, 8, aLease()),
      ]);
      const started = [four, eight].filter((d) => d.kind === 'record');
      const refused = [four, eight].filter((d) => d.kind === 'refuse');
      expect({ pair, started: started.length, refused: refused.length }).toEqual({
        pair,
        started: 1,
        refused: 1,
      });
      const winner = four.kind === 'record' ? '4' : '8';
      expect(await connection.get(partitionCountKey(prefix))).toBe(winner);
      expect(refused[0]!.kind === 'refuse' && refused[0]!.message).toMatch(
        new RegExp(
          `^QUEUE_PARTITIONS is ${winner === '4' ? 8 : 4} but running workers serve ${winner} partition`,
        ),
      );
    }
  });

  it('refuses another count while a worker serves one, and takes it once that worker stopped', async () => {
    const running = aLease();
    expect(await checkPartitionCount(connection, prefix, 4, running)).toEqual({ kind: 'record' });
    // The queues are drained, so without the lease the change would be recorded under it.
    const refused = await checkPartitionCount(connection, prefix, 8, aLease());
    expect(refused.kind === 'refuse' && refused.message).toBe(
      'QUEUE_PARTITIONS is 8 but running workers serve 4 partition(s): set the same QUEUE_PARTITIONS on every worker, or stop the others before changing it (a worker that died without stopping holds its lease up to 30 s) (docs/architecture.md "Partitions")',
    );
    expect(await connection.get(partitionCountKey(prefix))).toBe('4');
    // Another worker at the same count starts (a rolling restart, a scale-out).
    expect(await checkPartitionCount(connection, prefix, 4, aLease())).toEqual({ kind: 'same' });
    await releasePartitionLease(connection, prefix, 4, running);
    expect((await checkPartitionCount(connection, prefix, 8, aLease())).kind).toBe('refuse');
    expect(await connection.zcard(partitionLeasesKey(prefix))).toBe(1);
    await connection.del(partitionLeasesKey(prefix));
    expect(await checkPartitionCount(connection, prefix, 8, aLease())).toEqual({ kind: 'record' });
    expect(await connection.get(partitionCountKey(prefix))).toBe('8');
  });

  it("a dead worker's lease lapses after its time to live; a renewed one does not", async () => {
    const dead = aLease(400);
    // Renewed every 100 ms; its longer life keeps a slow renewal on a loaded machine from mattering.
    const alive = aLease(2000);
    expect(await checkPartitionCount(connection, prefix, 2, dead)).toEqual({ kind: 'record' });
    expect(await checkPartitionCount(connection, prefix, 2, alive)).toEqual({ kind: 'same' });
    // `alive` renews as a running worker does; `dead` does not. Once `dead` has lapsed, a change
    // is still refused for `alive`.
    const renewing = setInterval(() => void renewPartitionLease(connection, prefix, 2, alive), 100);
    try {
      const deadUntil = Number(await connection.zscore(partitionLeasesKey(prefix), `2:${dead.id}`));
      await waitFor(() => Date.now() > deadUntil + 50, {
        what: "the dead worker's lease to lapse",
      });
      expect((await checkPartitionCount(connection, prefix, 3, aLease())).kind).toBe('refuse');
      expect(await connection.zrange(partitionLeasesKey(prefix), 0, -1)).toEqual([`2:${alive.id}`]);
    } finally {
      clearInterval(renewing);
    }
    await waitFor(
      async () => (await checkPartitionCount(connection, prefix, 3, aLease())).kind === 'record',
      {
        timeoutMs: 10_000,
        what: 'the stopped renewals to let the lease lapse',
      },
    );
    expect(await connection.get(partitionCountKey(prefix))).toBe('3');
  });

  it('records nothing when the count changed since it was read, and says so', async () => {
    await connection.set(partitionCountKey(prefix), '4');
    const keys = { count: partitionCountKey(prefix), leases: partitionLeasesKey(prefix) };
    const lease = aLease();
    expect(
      await claimPartitionCount(connection, keys, {
        configured: 8,
        seen: null,
        record: true,
        lease,
      }),
    ).toEqual({ kind: 'changed' });
    expect(await connection.get(partitionCountKey(prefix))).toBe('4');
    expect(await connection.exists(partitionLeasesKey(prefix))).toBe(0);
    expect(
      await claimPartitionCount(connection, keys, {
        configured: 8,
        seen: '4',
        record: true,
        lease,
      }),
    ).toEqual({ kind: 'claimed' });
    expect(await connection.get(partitionCountKey(prefix))).toBe('8');
    expect(await connection.pttl(partitionLeasesKey(prefix))).toBeGreaterThan(0);
  });
});
