import { freePort, startRedisServer, type RedisServer } from '@so-connector/testing';
import { startWorkerForTest, type WorkerUnderTest } from './worker-harness';

let server: RedisServer;
let sut: WorkerUnderTest;
let port: number;

beforeAll(async () => {
  server = await startRedisServer();
  port = await freePort();
  sut = await startWorkerForTest({
    redisUrl: server.url,
    prefix: 'metrics-test',
    env: { METRICS_PORT: String(port) },
  });
});
afterAll(async () => {
  server.resume();
  await sut.close();
  await server.dispose();
});

describe('worker /metrics while Redis does not answer', () => {
  it('answers without the queue depths instead of hanging, and has them again once Redis is back', async () => {
    const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(await scrape()).toMatch(/so_queue_jobs\{queue="so-events",state="waiting"\} 0/);

    server.pause();
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('so_worker_events_total');
    expect(text).not.toMatch(/so_queue_jobs\{/);

    server.resume();
    expect(await scrape()).toMatch(/so_queue_jobs\{queue="so-enrich",state="failed"\} 0/);
  });
});
