import { loadCliConfig } from '@so-connector/config';
import { Redis } from 'ioredis';
import { freePort, useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { closeRedis, createConnection, reportUnusableRedis } from '../src';

let redis: TestRedis;
beforeEach(async () => {
  redis = await useTestRedis();
});
afterEach(async () => {
  await redis.cleanup();
});

const topologyAt = (url: string) =>
  loadCliConfig({ REDIS_URL: url, SO_CONTEXT_IDENTIFIER: 'Cust1' }).redis;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A connection to a port nothing listens on. ioredis ends a socket that never opened by arming its
 * `disconnectTimeout` (2 s by default; redis/ioredis#1318) on disconnect, which would keep Jest
 * from exiting for that long: a short one here.
 */
function unusableConnection(url: string) {
  const connection = new Redis(url, { maxRetriesPerRequest: null, disconnectTimeout: 50 });
  connection.on('error', () => undefined);
  return connection;
}

describe('reportUnusableRedis', () => {
  it('reports once, naming the node and REDIS_URL, when the connection does not get ready', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const topology = topologyAt(url);
    const connection = unusableConnection(url);
    const problems: string[] = [];
    const stop = reportUnusableRedis(connection, topology, (p) => problems.push(p), 200);
    try {
      await waitFor(() => problems.length > 0, { what: 'the report' });
      // ioredis goes on retrying; the report is not repeated.
      await pause(600);
      expect(problems).toEqual([
        expect.stringMatching(/^127\.0\.0\.1:\d+: .*ECONNREFUSED.*; check REDIS_URL /),
      ]);
    } finally {
      stop();
      connection.disconnect();
    }
  });

  it('says nothing about a connection that gets ready, nor once stopped', async () => {
    const topology = topologyAt(redis.url);
    const ready = createConnection(topology, { role: 'worker' });
    const problems: string[] = [];
    const stopReady = reportUnusableRedis(ready, topology, (p) => problems.push(p), 200);

    const nowhereUrl = `redis://127.0.0.1:${await freePort()}`;
    const nowhere = topologyAt(nowhereUrl);
    const unusable = unusableConnection(nowhereUrl);
    const stopUnusable = reportUnusableRedis(unusable, nowhere, (p) => problems.push(p), 200);
    stopUnusable();
    try {
      await pause(800);
      expect(ready.status).toBe('ready');
      expect(problems).toEqual([]);
    } finally {
      stopReady();
      await closeRedis(ready);
      unusable.disconnect();
    }
  });
});
