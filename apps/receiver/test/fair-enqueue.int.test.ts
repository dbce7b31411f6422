import { Worker } from 'bullmq';
import {
  createEventsQueue,
  createRedisConnection,
  QUEUE_NAMES,
  type EventJobData,
} from '@so-connector/queue';
import { aWebhookEvent, useTestRedis, type TestRedis } from '@so-connector/testing';
import { createEventEnqueuer } from '../src/webhook/event-enqueuer';

// Fairness between tenants on the shared so-events queue: a tenant above its quiet rate gets a
// BullMQ priority, so a flood waits behind the other tenants' events (docs/architecture.md).
let redis: TestRedis;
beforeAll(async () => {
  redis = await useTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

function job(tenant: string): EventJobData {
  return {
    tenant,
    receivedAt: new Date().toISOString(),
    deliveryRetry: 0,
    spooled: false,
    event: aWebhookEvent({ ContextIdentifier: tenant }),
  };
}

describe('the receiver enqueues a flooding tenant behind the quiet ones', () => {
  it("gives a flood's events a priority and runs a quiet tenant's event first", async () => {
    const connection = createRedisConnection(redis.url, { role: 'producer' });
    const queue = createEventsQueue(connection, redis.prefix);
    const enqueuer = createEventEnqueuer({
      queue,
      redis: connection,
      dedupWindowSeconds: 60,
      timeoutMs: 5000,
      quietEventsPerMinute: 3,
      tenantCount: () => 2,
    });
    const processed: string[] = [];
    const consumer = createRedisConnection(redis.url, { role: 'worker' });
    try {
      if (connection.status !== 'ready') await new Promise((r) => connection.once('ready', r));
      await queue.pause();
      const flood = [1, 2, 3, 4, 5, 6, 7, 8].map(() => job('CustFlood'));
      for (const data of flood) await enqueuer.enqueue(data);
      const quiet = job('CustQuiet');
      await enqueuer.enqueue(quiet);

      const priorities = await Promise.all(
        [...flood, quiet].map(async (d) => (await queue.getJob(d.event.EventId))!.priority),
      );
      // Up to the quiet rate no priority; above it 1 + log2(count / quiet): 4-5 → 1, 6-8 → 2.
      expect(priorities).toEqual([0, 0, 0, 1, 1, 2, 2, 2, 0]);

      const worker = new Worker<EventJobData>(
        QUEUE_NAMES.events,
        (j) => {
          processed.push(j.data.tenant);
          return Promise.resolve();
        },
        {
          connection: consumer,
          prefix: redis.prefix,
          concurrency: 1,
        },
      );
      await queue.resume();
      await new Promise<void>((resolve) => {
        worker.on('drained', () => resolve());
      });
      await worker.close();
      // The quiet tenant's event ran before every prioritised flood event.
      expect(processed.indexOf('CustQuiet')).toBe(3);
      expect(processed).toHaveLength(9);
    } finally {
      enqueuer.close();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
      consumer.disconnect();
    }
  });
});
