import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Worker, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import supertest from 'supertest';
import { createLogger } from '@so-connector/logger';
import {
  createEventsQueue,
  createRedisConnection,
  eventSeenKeys,
  QUEUE_NAMES,
  type EventJobData,
} from '@so-connector/queue';
import { aWebhookEvent, useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { DiskSpool } from '../src/spool/disk-spool';
import { startSpoolDrainer } from '../src/spool/spool-drainer';
import { createEventEnqueuer } from '../src/webhook/event-enqueuer';
import { signedDelivery, startReceiverForTest } from './receiver-harness';

// Issue 13 §3: a completed so-events job body goes after the recent window (here at once,
// EVENTS_KEEP_COMPLETED_COUNT=0), yet its EventId stays a duplicate for the whole dedup window
// through BullMQ's dedup marker, on the webhook path and on the spool replay path alike.
let redis: TestRedis;
let n = 0;
beforeAll(async () => {
  redis = await useTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});
const nextPrefix = () => `${redis.prefix}-dedup-${++n}`;

/** Runs a no-op worker on `prefix`'s so-events until `count` jobs have completed. */
async function completeJobs(prefix: string, count: number): Promise<void> {
  const connection = createRedisConnection(redis.url, { role: 'worker' });
  let completed = 0;
  const done = new Promise<void>((resolve) => {
    const worker = new Worker(QUEUE_NAMES.events, () => Promise.resolve(), {
      connection,
      prefix,
    });
    worker.on('completed', () => {
      if (++completed === count) void worker.close().then(resolve);
    });
  });
  try {
    await done;
  } finally {
    connection.disconnect();
  }
}

const jobStates = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized'] as const;

async function jobCount(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts(...jobStates);
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** EXISTS of the job key and of the dedup marker: [job, marker]. */
async function keysOf(queue: Queue, connection: Redis, eventId: string): Promise<number[]> {
  const [job, marker] = eventSeenKeys(queue, eventId.toLowerCase());
  return [await connection.exists(job), await connection.exists(marker)];
}

function dataOf(event: EventJobData['event']): EventJobData {
  const receivedAt = new Date().toISOString();
  return { tenant: event.ContextIdentifier, receivedAt, deliveryRetry: 0, spooled: false, event };
}

/** A producer connection, the events queue on it and an enqueuer, as the receiver wires them. */
async function producer(prefix: string, dedupWindowSeconds: number) {
  const connection = createRedisConnection(redis.url, { role: 'producer' });
  if (connection.status !== 'ready') await new Promise((r) => connection.once('ready', r));
  const queue = createEventsQueue(connection, prefix);
  const enqueuer = createEventEnqueuer({
    queue,
    redis: connection,
    dedupWindowSeconds,
    keepCompleted: { seconds: 3600, count: 0 },
    timeoutMs: 5000,
  });
  return {
    connection,
    queue,
    enqueuer,
    async close() {
      enqueuer.close();
      await queue.close();
      connection.disconnect();
    },
  };
}

/** The whole receiver keeping `count` completed job bodies, a signed poster and an inspector. */
async function receiverKeeping(count: number) {
  const prefix = nextPrefix();
  const sut = await startReceiverForTest({
    redisUrl: redis.url,
    prefix,
    env: { EVENTS_KEEP_COMPLETED_COUNT: String(count) },
  });
  const post = (body: object, headers: Record<string, string> = {}) => {
    const delivery = signedDelivery(body, undefined, headers);
    return supertest(sut.url)
      .post('/webhooks/superoffice')
      .set(delivery.headers)
      .send(delivery.text);
  };
  const inspector = createRedisConnection(redis.url, { role: 'worker' });
  return { prefix, sut, inspector, post };
}

describe('EventId dedup for the whole window after the job body is gone', () => {
  it('answers a redelivery "duplicate" and queues nothing once the completed job was removed', async () => {
    const { prefix, sut, inspector, post } = await receiverKeeping(0);
    try {
      const event = aWebhookEvent();
      expect((await post(event)).body).toEqual({ status: 'accepted', eventId: event.EventId });
      await completeJobs(prefix, 1);

      expect(await sut.events.getJob(event.EventId.toLowerCase())).toBeUndefined();
      expect(await keysOf(sut.events, inspector, event.EventId)).toEqual([0, 1]);
      const [, marker] = eventSeenKeys(sut.events, event.EventId.toLowerCase());
      const ttl = await inspector.pttl(marker);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(86_400_000);

      const again = await post(event, { 'x-superoffice-retry': '1' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ status: 'duplicate', eventId: event.EventId });
      const upper = await post({ ...event, EventId: event.EventId.toUpperCase() });
      expect(upper.body.status).toBe('duplicate');
      expect(await jobCount(sut.events)).toBe(0);
      expect(await sut.events.getJob(event.EventId.toLowerCase())).toBeUndefined();
    } finally {
      inspector.disconnect();
      await sut.close();
    }
  });

  it('drains a spooled redelivery of a removed job as a duplicate, without a second job', async () => {
    const prefix = nextPrefix();
    const p = await producer(prefix, 86_400);
    const spoolDir = mkdtempSync(join(tmpdir(), 'so-dedup-spool-'));
    const lines: string[] = [];
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
    const logger = createLogger({
      component: 'receiver',
      level: 'info',
      format: 'json',
      destination,
    });
    try {
      const event = aWebhookEvent();
      expect(await p.enqueuer.enqueue(dataOf(event))).toBe('accepted');
      await completeJobs(prefix, 1);
      expect(await keysOf(p.queue, p.connection, event.EventId)).toEqual([0, 1]);

      // The same EventId answered "spooled" while Redis was away (e.g. SuperOffice's retry of a
      // delivery whose add had timed out but landed).
      const spool = await DiskSpool.open(spoolDir);
      await spool.write({ ...dataOf(event), deliveryRetry: 1, spooled: true });
      const drainer = startSpoolDrainer({
        spool,
        enqueuer: p.enqueuer,
        logger,
        intervalMs: 60_000,
      });
      try {
        expect(await drainer.drainOnce()).toBe(1);
      } finally {
        await drainer.stop();
      }
      expect(await spool.list()).toEqual([]);
      expect(await jobCount(p.queue)).toBe(0);
      const queued = lines
        .map((l) => JSON.parse(l) as { message?: string; outcome?: string; eventId?: string })
        .filter((l) => l.message === 'spooled event queued');
      expect(queued).toEqual([
        expect.objectContaining({ eventId: event.EventId, outcome: 'duplicate' }),
      ]);
    } finally {
      rmSync(spoolDir, { recursive: true, force: true });
      await p.close();
    }
  });

  it('forgets the EventId when the window ends: the marker expires and a redelivery is new', async () => {
    const prefix = nextPrefix();
    const p = await producer(prefix, 1);
    try {
      const event = aWebhookEvent();
      expect(await p.enqueuer.enqueue(dataOf(event))).toBe('accepted');
      const [, marker] = eventSeenKeys(p.queue, event.EventId.toLowerCase());
      // While its job waits an EventId is a duplicate, whatever the marker.
      expect(await p.enqueuer.enqueue(dataOf(event))).toBe('duplicate');
      await completeJobs(prefix, 1);

      await waitFor(async () => (await p.connection.exists(marker)) === 0, {
        timeoutMs: 10_000,
        what: 'the dedup marker to expire with the 1 s window',
      });
      expect(await p.enqueuer.enqueue(dataOf(event))).toBe('accepted');
      expect(await keysOf(p.queue, p.connection, event.EventId)).toEqual([1, 1]);
      expect(await jobCount(p.queue)).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('forgets an EventId whose job an operator removed (Bull Board "remove"): marker and job go', async () => {
    const p = await producer(nextPrefix(), 86_400);
    try {
      const event = aWebhookEvent();
      expect(await p.enqueuer.enqueue(dataOf(event))).toBe('accepted');
      await (await p.queue.getJob(event.EventId.toLowerCase()))!.remove();
      expect(await keysOf(p.queue, p.connection, event.EventId)).toEqual([0, 0]);
      expect(await p.enqueuer.enqueue(dataOf(event))).toBe('accepted');
      expect(await jobCount(p.queue)).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('keeps completed job bodies for Bull Board up to EVENTS_KEEP_COMPLETED_COUNT', async () => {
    const { prefix, sut, inspector, post } = await receiverKeeping(2);
    try {
      const events = [aWebhookEvent(), aWebhookEvent(), aWebhookEvent()];
      for (const event of events) expect((await post(event)).body.status).toBe('accepted');
      await completeJobs(prefix, 3);
      // Which two stay is BullMQ's to choose (the newest by finish time, to the millisecond).
      const kept = await sut.events.getCompleted();
      expect(kept).toHaveLength(2);
      const ids = events.map((e) => e.EventId);
      expect(kept.every((j) => ids.includes(j.data.event.EventId))).toBe(true);
      // All three are still known: two by their job, the third by its marker alone.
      const known = await Promise.all(ids.map((id) => keysOf(sut.events, inspector, id)));
      expect(known.map(([job]) => job).sort()).toEqual([0, 1, 1]);
      expect(known.map(([, marker]) => marker)).toEqual([1, 1, 1]);
    } finally {
      inspector.disconnect();
      await sut.close();
    }
  });
});
