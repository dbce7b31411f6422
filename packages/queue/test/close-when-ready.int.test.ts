import { Queue, Worker } from 'bullmq';
import { freePort, useTestRedis, type TestRedis } from '@so-connector/testing';
import { closeWhenReady, createRedisConnection } from '../src';

let redis: TestRedis;
beforeEach(async () => {
  redis = await useTestRedis();
});
afterEach(async () => {
  await redis.cleanup();
});

/**
 * Uncaught exceptions and unhandled rejections while `run` runs. BullMQ's unhandled 'error' event
 * is thrown inside a promise handler, so it surfaces as an unhandled rejection, which exits a
 * process with 1 (Node's default) but not a jest worker.
 */
async function uncaughtDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (error: unknown) => seen.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  try {
    await run();
    // The failed initialisation surfaced a tick or more after close() in BullMQ 5.81.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  }
  return seen;
}

describe('closeWhenReady', () => {
  it('closes a worker created a moment ago (its blocking connection still initialising) without an unhandled error', async () => {
    const connection = createRedisConnection(redis.url, { role: 'worker' });
    try {
      await new Promise((resolve) => connection.once('ready', resolve));
      const errors = await uncaughtDuring(async () => {
        // Closes at 0–19 ms after creation: the window is INFO in flight on the new connection.
        for (let i = 0; i < 40; i++) {
          const sut = new Worker(`close-${i}`, () => Promise.resolve(), {
            connection,
            prefix: redis.prefix,
            // Only the blocking connection matters here; no fetch loop, no stalled-jobs timer.
            autorun: false,
          });
          sut.on('error', () => undefined);
          await new Promise((resolve) => setTimeout(resolve, i % 20));
          expect(await closeWhenReady(sut, 5000)).toBe('closed');
          expect(sut.closing).toBeDefined();
        }
      });
      expect(errors).toEqual([]);
    } finally {
      await connection.quit();
    }
  });

  it('leaves a queue whose Redis never answers open, and says so', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const connection = createRedisConnection(nowhere, { role: 'worker' });
    connection.on('error', () => undefined);
    const sut = new Queue('never-ready', { connection });
    const reported: unknown[] = [];
    sut.on('error', (error) => reported.push(error));
    const errors = await uncaughtDuring(async () => {
      expect(await closeWhenReady(sut, 300)).toBe('not-ready');
      // What the process does next: ends the connection. The queue's initialisation then fails
      // and reports on the queue's own listener, which a close would have removed.
      connection.disconnect();
    });
    expect(errors).toEqual([]);
    expect(reported.length).toBeGreaterThan(0);
  });
});
