import { readdirSync } from 'node:fs';
import { Queue } from 'bullmq';
import supertest from 'supertest';
import { loadReceiverConfig } from '@so-connector/config';
import { createRedisConnection, QUEUE_NAMES, type EventJobData } from '@so-connector/queue';
import {
  aWebhookEvent,
  startRedisSentinel,
  waitFor,
  type TestRedisSentinel,
} from '@so-connector/testing';
import { signedDelivery, startReceiverForTest } from './receiver-harness';

// Issue 13: a Sentinel master SIGKILLed during steady webhook traffic loses no event the receiver
// answered 200 for (REDIS_REPLICA_ACKS, default 1 with Sentinel; with it set to 0 this test lost
// 7 acknowledged events in each of two runs). A master, two replicas and three Sentinels of our
// own, on loopback ports.
let redis: TestRedisSentinel;
beforeEach(async () => {
  redis = await startRedisSentinel({ replicas: 2, downAfterMs: 1000 });
  await redis.waitUntilHealthy();
});
afterEach(async () => {
  await redis.dispose();
});

const spooled = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).length;

describe('receiver through Sentinel: master killed under traffic', () => {
  it('loses no acknowledged event: each is on the new master once the spool has drained', async () => {
    const env = {
      REDIS_SENTINELS: redis.sentinelAddresses,
      REDIS_SENTINEL_NAME: redis.masterName,
      REDIS_REPLICA_ACK_TIMEOUT_MS: '500',
    };
    const sut = await startReceiverForTest({
      redisUrl: 'redis://127.0.0.1:1',
      prefix: 'failover',
      env,
    });
    const acknowledged = new Set<string>();
    const refused: number[] = [];
    let killedAt = 0;
    try {
      const old = await redis.currentMaster();
      const deadline = Date.now() + 9000;
      const sender = async () => {
        while (Date.now() < deadline) {
          const event = aWebhookEvent();
          const delivery = signedDelivery(event);
          const res = await supertest(sut.url)
            .post('/webhooks/superoffice')
            .set(delivery.headers)
            .send(delivery.text);
          if (res.status === 200) acknowledged.add(event.EventId);
          else refused.push(res.status); // SuperOffice would deliver it again
        }
      };
      const killer = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        killedAt = Date.now();
        await old.kill();
      })();
      await Promise.all([sender(), sender(), sender(), killer]);
      expect(acknowledged.size).toBeGreaterThan(20);
      await waitFor(async () => (await redis.currentMaster()).port !== old.port, {
        timeoutMs: 15_000,
        what: 'the Sentinels to promote a replica',
      });
      await waitFor(() => spooled(sut.spoolDir) === 0, {
        timeoutMs: 30_000,
        what: 'the spool to drain on the new master',
      }).catch(async (error: Error) => {
        // Once seen in CI (not in ~35 runs here): say what the Sentinels, the nodes and the
        // receiver's drainer saw, so the next one can be explained.
        // (Each spooled webhook logs a warning too: those are counted, not listed.)
        const drainer = sut.logLines.filter((line) =>
          /spool drain paused|"level":"error"/.test(line),
        );
        const spooling = sut.logLines.filter((line) => line.includes('spooling event to disk'));
        throw new Error(
          [
            `${error.message}; ${spooled(sut.spoolDir)} still spooled, ${Date.now() - killedAt} ms after the kill`,
            await redis.describe(),
            `receiver: ${spooling.length} webhooks spooled; drainer and errors (last 15 of ${drainer.length}):`,
            ...drainer.slice(-15),
          ].join('\n'),
        );
      });
      const drainedAfterMs = Date.now() - killedAt;

      const inspector = createRedisConnection(
        loadReceiverConfig({ ...env, WEBHOOK_SECRET: 'x', SO_CONTEXT_IDENTIFIER: 'Cust1' }).redis,
        {
          role: 'worker',
        },
      );
      const queue = new Queue<EventJobData>(QUEUE_NAMES.events, {
        connection: inspector,
        prefix: 'failover',
      });
      try {
        const missing: string[] = [];
        for (const id of acknowledged) if (!(await queue.getJob(id))) missing.push(id);
        expect(missing).toEqual([]);
        // Nothing else queued: every job is an acknowledged event, or a refused one that reached
        // Redis before its 503 (jobId = EventId: no event is queued twice).
        const { waiting } = await queue.getJobCounts('waiting');
        expect(waiting).toBeGreaterThanOrEqual(acknowledged.size);
        expect(waiting).toBeLessThanOrEqual(acknowledged.size + refused.length);
      } finally {
        await queue.close();
        inspector.disconnect();
      }
      expect(refused.filter((status) => status !== 503)).toEqual([]);
      process.stdout.write(
        `sentinel failover under traffic: ${acknowledged.size} acknowledged, ${refused.length} refused (503), spool drained ${drainedAfterMs} ms after the kill\n`,
      );
    } finally {
      await sut.close();
    }
  }, 90_000);
});
