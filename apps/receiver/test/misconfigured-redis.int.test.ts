import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import supertest from 'supertest';
import { loadReceiverConfig } from '@so-connector/config';
import { createConnection, QUEUE_NAMES, type EventJobData } from '@so-connector/queue';
import {
  aWebhookEvent,
  freePort,
  makeTestCertificates,
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
  useTestRedis,
  waitFor,
  TEST_TENANT,
  type TestRedis,
} from '@so-connector/testing';
import { SECRET, signedDelivery, startReceiverForTest } from './receiver-harness';

// Issue 13, "bad input and misconfiguration": a receiver started with a Redis setting that cannot
// work says so in one line naming the variable, and loses nothing meanwhile: it answers 200 with
// every event on its disk spool, and the receiver restarted with the setting fixed drains them
// all into the queue. Each case runs its own Redis (a Sentinel setup, a Cluster, a TLS server).

interface Case {
  readonly name: string;
  /** The variable the start-up line must name. */
  readonly variable: RegExp;
  /** Starts the Redis, returns the wrong and the right settings. */
  start(): Promise<{
    wrong: Record<string, string>;
    right: Record<string, string>;
    dispose(): Promise<void>;
  }>;
}

const prefix = '{misconfigured}';
// The harness opens an inspector on `inspector.url` (unused here: the test reads its own queue); the
// case's settings decide where the receiver goes, as REDIS_SENTINELS / REDIS_CLUSTER_NODES win over
// REDIS_URL. An inspector left retrying a closed port kept Jest from exiting for a second or two.
let inspector: TestRedis;
beforeAll(async () => {
  inspector = await useTestRedis();
});
afterAll(() => inspector.cleanup());

const cases: Case[] = [
  {
    name: 'a Sentinel master name no Sentinel knows',
    variable:
      /no Sentinel knows a master named not-mymaster \(REDIS_SENTINEL_NAME\).*set REDIS_SENTINEL_NAME/,
    async start() {
      const redis = await startRedisSentinel({ replicas: 1 });
      await redis.waitUntilHealthy();
      const at = { REDIS_SENTINELS: redis.sentinelAddresses };
      return {
        wrong: { ...at, REDIS_SENTINEL_NAME: 'not-mymaster' },
        right: { ...at, REDIS_SENTINEL_NAME: redis.masterName },
        dispose: () => redis.dispose(),
      };
    },
  },
  {
    name: 'a cluster node list where no node answers',
    variable: /no node of REDIS_CLUSTER_NODES answers .*ECONNREFUSED.*check REDIS_CLUSTER_NODES/,
    async start() {
      const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
      const nowhere = `127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}`;
      return {
        wrong: { REDIS_CLUSTER_NODES: nowhere },
        right: { REDIS_CLUSTER_NODES: cluster.seeds },
        dispose: () => cluster.dispose(),
      };
    },
  },
  {
    name: 'TLS without the CA that signed the server certificate',
    variable: /certificate.*set REDIS_TLS_CA_FILE/,
    async start() {
      const certs = makeTestCertificates();
      const server = await startRedisServer({ tls: certs });
      return {
        wrong: { REDIS_URL: server.url },
        right: { REDIS_URL: server.url, REDIS_TLS_CA_FILE: certs.caFile },
        async dispose() {
          await server.dispose();
          certs.dispose();
        },
      };
    },
  },
];

const spooled = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).length;

describe.each(cases)('receiver with $name', ({ variable, start }) => {
  it('logs one line naming the variable, spools what it accepts, and the fixed receiver queues it all', async () => {
    const redis = await start();
    const spoolDir = mkdtempSync(join(tmpdir(), 'so-misconfigured-'));
    const env = (settings: Record<string, string>) => ({ ...settings, SPOOL_DIR: spoolDir });
    try {
      const wrong = await startReceiverForTest({
        redisUrl: inspector.url,
        prefix,
        env: env(redis.wrong),
      });
      const accepted: string[] = [];
      try {
        const problems = wrong.logLines.filter((line) =>
          line.includes('Redis cannot be used at start-up'),
        );
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(variable);
        expect(problems[0]).toContain('"level":"error"');
        for (let i = 0; i < 3; i++) {
          const event = aWebhookEvent();
          const delivery = signedDelivery(event, SECRET);
          const res = await supertest(wrong.url)
            .post('/webhooks/superoffice')
            .set(delivery.headers)
            .send(delivery.text);
          expect(res.status).toBe(200);
          expect(res.body).toEqual({ status: 'spooled', eventId: event.EventId });
          accepted.push(event.EventId);
        }
        expect(spooled(spoolDir)).toBe(3);
      } finally {
        await wrong.close();
      }

      // The operator fixes the setting and restarts: the spool drains into the queue.
      const fixed = await startReceiverForTest({
        redisUrl: inspector.url,
        prefix,
        env: env(redis.right),
      });
      const config = loadReceiverConfig({
        SO_CONTEXT_IDENTIFIER: TEST_TENANT,
        WEBHOOK_SECRET: SECRET,
        QUEUE_PREFIX: prefix,
        ...redis.right,
      });
      const connection = createConnection(config.redis, { role: 'worker' });
      const events = new Queue<EventJobData>(QUEUE_NAMES.events, { connection, prefix });
      try {
        expect(fixed.logLines.join('\n')).not.toContain('Redis cannot be used');
        await waitFor(() => spooled(spoolDir) === 0, { what: 'the spool to drain' });
        for (const id of accepted) expect((await events.getJob(id))?.data.event.EventId).toBe(id);
      } finally {
        await events.close();
        connection.disconnect();
        await fixed.close();
      }
    } finally {
      rmSync(spoolDir, { recursive: true, force: true });
      await redis.dispose();
    }
  }, 60_000);
});
