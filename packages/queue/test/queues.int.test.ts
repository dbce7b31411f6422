import { startRedisServer, type RedisServer } from '@so-connector/testing';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  createEnrichQueue,
  createEventsQueue,
  createMaintenanceQueue,
  createRedisConnection,
} from '../src';

let server: RedisServer;
let redis: Redis;
let admin: Redis;
afterEach(async () => {
  redis.disconnect();
  admin.disconnect();
  await server.dispose();
});

function ready(connection: Redis): Promise<void> {
  return connection.status === 'ready'
    ? Promise.resolve()
    : new Promise((resolve) => connection.once('ready', () => resolve()));
}

describe('producer-side queues on a fail-fast connection', () => {
  // BullMQ initialises a Queue once and keeps the outcome. In production the failure is Redis
  // dying while the init's one command is in flight (a receiver start-up during a Redis restart);
  // here the same command is refused by an ACL for a moment, which fails it every time, not only
  // when the timing is unlucky. Before the fix every later add failed with that first error.
  it.each([
    ['so-events', createEventsQueue],
    ['so-enrich', createEnrichQueue],
    ['so-maintenance', createMaintenanceQueue],
  ])(
    '%s works once Redis answers again after failing while the queue was created',
    async (_, create) => {
      server = await startRedisServer();
      admin = new Redis(server.url);
      redis = createRedisConnection(server.url, { role: 'producer' });
      redis.on('error', () => undefined);
      await ready(redis);
      await admin.call('ACL', 'SETUSER', 'default', '-info');
      // Untyped: the three queues' job data differ, and this test adds the same probe job to each.
      const queue = create(redis, 'bull-queues-test') as Queue;
      queue.on('error', () => undefined);
      try {
        await queue.waitUntilReady().catch(() => undefined);
        await admin.call('ACL', 'SETUSER', 'default', '+info');
        await queue.add('probe', { probe: true });
        expect(await queue.count()).toBe(1);
      } finally {
        await queue.close();
      }
    },
  );
});

describe('producer-side queues right after start-up', () => {
  // The dashboard's first page read runs plain reads and the queues' Lua counts in one tick of the
  // connection's `ready`: ioredis auto-pipelines them together, so the Lua commands must be defined
  // on the connection before that pipeline exists.
  it('answers plain reads and queue counts sent together as the connection becomes ready', async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
    redis = createRedisConnection(server.url, { role: 'producer' });
    const queues = [
      createEventsQueue(redis, 'bull-queues-test'),
      createEnrichQueue(redis, 'bull-queues-test'),
      createMaintenanceQueue(redis, 'bull-queues-test'),
    ];
    try {
      await ready(redis);
      const [plain, ...counts] = await Promise.all([
        redis.get('bull-queues-test:nothing'),
        ...queues.map((queue) => queue.getJobCounts('waiting', 'failed')),
      ]);
      expect(plain).toBeNull();
      expect(counts).toEqual([
        { waiting: 0, paused: 0, failed: 0 },
        { waiting: 0, paused: 0, failed: 0 },
        { waiting: 0, paused: 0, failed: 0 },
      ]);
    } finally {
      await Promise.all(queues.map((queue) => queue.close()));
    }
  });
});
