import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import {
  createEnrichQueue,
  createEventsQueue,
  createMaintenanceQueue,
  createRedisConnection,
  JOB_EVENTS_STREAM_MAX_LEN,
  QUEUE_NAMES,
} from '../src';

let redis: TestRedis;
beforeEach(async () => {
  redis = await useTestRedis();
});
afterEach(() => redis.cleanup());

// Redis trims `XADD … MAXLEN ~ n` by whole stream nodes (stream-node-max-entries, 100 by default),
// so up to one node more than n may stay.
const NODE = 100;

function ready(connection: Redis): Promise<void> {
  return connection.status === 'ready'
    ? Promise.resolve()
    : new Promise((resolve) => connection.once('ready', () => resolve()));
}

describe("the queues' event streams", () => {
  it('so-events keeps the last JOB_EVENTS_STREAM_MAX_LEN notices however many jobs ran, not BullMQ’s 10,000', async () => {
    const jobs = 3 * JOB_EVENTS_STREAM_MAX_LEN;
    const producer = createRedisConnection(redis.url, { role: 'producer' });
    const connection = createRedisConnection(redis.url, { role: 'worker' });
    await ready(producer);
    const queue = createEventsQueue(producer, redis.prefix);
    const worker = new Worker(QUEUE_NAMES.events, () => Promise.resolve(), {
      connection,
      prefix: redis.prefix,
      concurrency: 20,
    });
    let completed = 0;
    worker.on('completed', () => completed++);
    try {
      for (let from = 0; from < jobs; from += 500)
        await queue.addBulk(
          Array.from({ length: 500 }, (_, i) => ({
            name: 'contact.changed',
            data: {} as never,
            opts: { jobId: `evt-${from + i}`, removeOnComplete: 10 },
          })),
        );
      await waitFor(() => completed === jobs, {
        timeoutMs: 60_000,
        what: `${jobs} jobs to complete`,
      });
      // Two notices a job at least (added, completed): thousands appended in all.
      const length = await producer.xlen(queue.toKey('events'));
      expect(length).toBeGreaterThanOrEqual(JOB_EVENTS_STREAM_MAX_LEN);
      expect(length).toBeLessThanOrEqual(JOB_EVENTS_STREAM_MAX_LEN + NODE);
    } finally {
      await worker.close();
      await queue.close();
      producer.disconnect();
      connection.disconnect();
    }
  }, 90_000);

  it('so-events and so-enrich set the cap in their meta key; so-maintenance keeps BullMQ’s default for replay and backfill', async () => {
    // The worker's connection waits for Redis, so its queues write the cap at every start, even
    // when they are made before the connection is up (as here).
    const connection = createRedisConnection(redis.url, { role: 'worker' });
    const queues = [
      createEventsQueue(connection, redis.prefix),
      createEnrichQueue(connection, redis.prefix),
      createMaintenanceQueue(connection, redis.prefix),
    ];
    try {
      await waitFor(
        async () =>
          (
            await Promise.all(
              queues.map((q) => connection.hget(q.toKey('meta'), 'opts.maxLenEvents')),
            )
          ).every((v) => v !== null),
        { what: 'the queues to write their meta keys' },
      );
      const caps = await Promise.all(
        queues.map(async (q) => [
          q.name,
          await connection.hget(q.toKey('meta'), 'opts.maxLenEvents'),
        ]),
      );
      expect(Object.fromEntries(caps)).toEqual({
        [QUEUE_NAMES.events]: String(JOB_EVENTS_STREAM_MAX_LEN),
        [QUEUE_NAMES.enrich]: String(JOB_EVENTS_STREAM_MAX_LEN),
        [QUEUE_NAMES.maintenance]: '10000',
      });
    } finally {
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
    }
  });
});
