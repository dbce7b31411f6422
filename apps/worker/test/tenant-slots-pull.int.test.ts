import { PassThrough } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '@so-connector/logger';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { bringForward } from '../src/tenants/tenant-jobs';

// A freed slot brings the tenant's earliest turned-away job forward (tenant-slots.ts): the
// promotion through the finished job's own queue, on real Redis and BullMQ.
let redis: TestRedis;
let connection: Redis;
let queue: Queue;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  queue = new Queue('so-enrich', { connection, prefix: `${redis.prefix}-pull` });
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  await redis.cleanup();
});

const logger = createLogger({
  component: 'worker',
  level: 'error',
  format: 'json',
  destination: new PassThrough(),
});

describe('bringForward', () => {
  it('moves a delayed job of the same queue to wait, and leaves a job that is not delayed', async () => {
    const finished = await queue.add('enrich', { tenant: 'CustB' }, { jobId: 'finished' });
    const away = await queue.add(
      'enrich',
      { tenant: 'CustB' },
      { jobId: 'turned-away', delay: 600_000 },
    );
    expect(await queue.getJobState('turned-away')).toBe('delayed');
    const pulled = { id: 'turned-away', retryAt: away.timestamp + away.delay };

    await bringForward(finished, pulled, logger);
    expect(await queue.getJobState('turned-away')).toBe('waiting');

    // Already waiting (it came back by itself, or another process promoted it) or gone: no error.
    await bringForward(finished, pulled, logger);
    await bringForward(finished, { id: 'no-such-job', retryAt: pulled.retryAt }, logger);
    expect(await queue.getJobState('turned-away')).toBe('waiting');
  });

  it('leaves a job delayed since for another time (a retry backoff, a budget window, a pause)', async () => {
    const finished = await queue.add('enrich', { tenant: 'CustB' }, { jobId: 'finished-2' });
    const backoff = await queue.add(
      'enrich',
      { tenant: 'CustB' },
      { jobId: 'backing-off', delay: 300_000 },
    );
    // The slot cap had turned it away for another time; since then it ran elsewhere and waits.
    const stale = { id: 'backing-off', retryAt: backoff.timestamp + backoff.delay - 5_000 };

    await bringForward(finished, stale, logger);
    expect(await queue.getJobState('backing-off')).toBe('delayed');
  });
});
