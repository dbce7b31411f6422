import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUE_NAMES } from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { freePort, useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { startApp, type ProductProcess } from './processes';

// Real receiver and worker processes, real Redis, the simulator over HTTP.
const SECRET = 'e2e-webhook-secret-0123456789';
let redis: TestRedis;
let sim: RunningSimulator;
let spoolDir: string;
const running: ProductProcess[] = [];

beforeEach(async () => {
  redis = await useTestRedis();
  sim = await startSimulator({ retryScale: 0.01 });
  spoolDir = mkdtempSync(join(tmpdir(), 'so-e2e-spool-'));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
  await sim.stop();
  await redis.cleanup();
  rmSync(spoolDir, { recursive: true, force: true });
});

function workerEnv(): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    SO_CONTEXT_IDENTIFIER: 'Cust12345',
    SO_CLIENT_ID: sim.client.clientId,
    SO_CLIENT_SECRET: sim.client.clientSecret,
    SO_REFRESH_TOKEN: sim.client.refreshToken,
    SO_TOKEN_URL: sim.tokenUrl,
    SO_API_BASE_URL: sim.apiBaseUrl(),
    SO_UDF_VERTICAL: 'SuperOffice:83',
    SO_UDF_SUMMARY: 'SuperOffice:84',
    SO_UDF_OPENER: 'SuperOffice:85',
    ENRICH_DEBOUNCE_MS: '0',
    ENRICH_MAX_WAIT_MS: '1000',
    WORKER_LOCK_DURATION_MS: '2000',
  };
}

describe('worker SIGKILLed in the middle of an enrichment', () => {
  it('is enriched after a restart, and written exactly once', async () => {
    const port = await freePort();
    const receiver = startApp('receiver', {
      PORT: String(port),
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      SO_CONTEXT_IDENTIFIER: 'Cust12345',
      WEBHOOK_SECRET: SECRET,
      SPOOL_DIR: spoolDir,
    });
    running.push(receiver);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
      timeoutMs: 15_000,
      what: 'the receiver',
    });
    const token = await sim.issueAccessToken();
    const registered = await fetch(`${sim.apiBaseUrl()}/v1/Webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        Name: 'so-connector',
        Events: ['contact.changed'],
        TargetUrl: `http://127.0.0.1:${port}/webhooks/superoffice`,
        Secret: SECRET,
      }),
    });
    expect(registered.status).toBe(200);

    const first = startApp('worker', workerEnv());
    running.push(first);
    await waitFor(() => first.output().includes('worker started'), {
      timeoutMs: 15_000,
      what: 'the worker',
    });

    // Every SuperOffice call now takes a while, so the enrichment is caught in the middle.
    sim.faults.latencyMs = 1500;
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const enrich = new Queue(QUEUE_NAMES.enrich, { connection, prefix: redis.prefix });
    try {
      // Writes the API user actually made (a PATCH refused by its UpdatedDate test is not one).
      let writes = 0;
      sim.state.on('change', (change) => {
        if (change.changedByAssociateId === sim.state.apiUser.associateId) writes++;
      });
      sim.editAs(5, 'contact', 2, { OrgNr: '918273600' });
      await waitFor(async () => (await enrich.getActiveCount()) === 1, {
        timeoutMs: 15_000,
        what: 'an active enrichment',
      });
      await first.kill();

      sim.faults.latencyMs = 0;
      const second = startApp('worker', workerEnv());
      running.push(second);
      await waitFor(
        () =>
          (sim.state.get('contact', 2)!.UserDefinedFields as Record<string, string>)[
            'SuperOffice:84'
          ] !== '',
        {
          timeoutMs: 30_000,
          intervalMs: 100,
          what: 'the enrichment after the restart',
        },
      );
      await waitFor(
        async () =>
          (await enrich.getCompletedCount()) >= 1 && (await enrich.getActiveCount()) === 0,
        { timeoutMs: 15_000, what: 'the job to complete' },
      );
      await sim.deliveriesSettled();
      // A PATCH in flight when the worker died may still land late; the JSON Patch `test` on
      // UpdatedDate lets only one of the two writes apply, whichever order they arrive in.
      expect(writes).toBe(1);
    } finally {
      await enrich.close();
      connection.disconnect();
    }
  });
});
