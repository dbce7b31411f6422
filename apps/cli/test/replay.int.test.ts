import {
  createEnrichQueue,
  createMaintenanceQueue,
  createRedisConnection,
  enrichDedupId,
  maintenanceJobSchema,
  QUEUE_NAMES,
  reconcileResultSchema,
  scheduleEnrichment,
  type ReconcileResult,
} from '@so-connector/queue';
import { createSuperOfficeClient } from '@so-connector/superoffice-client';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import {
  useTestRedis,
  waitFor,
  type TestRedis,
  superOfficeSettingsFor,
} from '@so-connector/testing';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { cli, envFor } from './cli-harness';

// Real: Redis, the simulator, and a tiny BullMQ worker on so-maintenance standing in for the
// worker's reconcile processor (written elsewhere): it sweeps with the real client and enqueues
// through scheduleEnrichment, so the CLI side (enqueue, wait, print) is proven end to end.
let redis: TestRedis;
let connection: Redis;
let sim: RunningSimulator;
let prefix = '';
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = await useTestRedis();
  connection = createRedisConnection(redis.url, { role: 'worker' });
});
afterAll(async () => {
  await connection.quit();
  await redis.cleanup();
});
beforeEach(async () => {
  sim = await startSimulator({ retryScale: 0.001 });
  prefix = `${redis.prefix}-${Math.random().toString(36).slice(2, 8)}`;
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await sim.stop();
});

const env = () => envFor(sim, { url: redis.url, prefix });

function maintenanceQueue() {
  const q = createMaintenanceQueue(connection, prefix);
  closers.push(() => q.close());
  return q;
}

async function startReconcileWorker(options: { fail?: string } = {}) {
  const client = createSuperOfficeClient(superOfficeSettingsFor(sim));
  const enrich = createEnrichQueue(connection, prefix);
  const workerConnection = connection.duplicate();
  const worker = new Worker(
    QUEUE_NAMES.maintenance,
    async (job): Promise<ReconcileResult> => {
      const data = maintenanceJobSchema.parse(job.data);
      if (options.fail) throw new Error(options.fail);
      const until = new Date().toISOString();
      const since = data.since!;
      const contacts = await client.findContactsUpdatedSince(since);
      await job.updateProgress({ contacts: contacts.length });
      const persons = await client.findPersonsUpdatedSince(since);
      const timing = { debounceMs: 0, maxWaitMs: 60_000, attempts: 1 };
      for (const c of contacts)
        await scheduleEnrichment(
          enrich,
          {
            tenant: data.tenant,
            entity: 'contact',
            recordId: c.contactId,
            cause: `reconcile:${job.id}`,
          },
          timing,
        );
      for (const p of persons)
        await scheduleEnrichment(
          enrich,
          {
            tenant: data.tenant,
            entity: 'person',
            recordId: p.personId,
            cause: `reconcile:${job.id}`,
            accountId: p.contactId ?? undefined,
          },
          timing,
        );
      return reconcileResultSchema.parse({
        since,
        until,
        contacts: contacts.length,
        persons: persons.length,
        enqueued: contacts.length + persons.length,
      });
    },
    { connection: workerConnection, prefix },
  );
  closers.push(async () => {
    await worker.close();
    await workerConnection.quit();
    await enrich.close();
  });
  const q = maintenanceQueue();
  await waitFor(async () => (await q.getWorkersCount()) > 0, {
    what: 'the test worker to connect',
  });
  return { enrich };
}

describe('replay', () => {
  it('queues a reconcile job, waits for it and prints the result', async () => {
    const { enrich } = await startReconcileWorker();
    sim.editAs(5, 'contact', 3, { OrgNr: '5591234568' });
    sim.editAs(5, 'person', 12, { Title: 'CTO' });
    const run = await cli(['replay', '--since', '1h', '--json'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.json<{ result: { since: string } }>();
    expect(out).toMatchObject({
      queue: 'so-maintenance',
      state: 'completed',
      result: { contacts: 1, persons: 1, enqueued: 2 },
    });
    expect(Date.parse(out.result.since)).toBeCloseTo(Date.now() - 3_600_000, -4);
    expect(
      await enrich.getDeduplicationJobId(enrichDedupId('Cust12345', 'contact', 3)),
    ).toBeTruthy();
    expect(
      await enrich.getDeduplicationJobId(enrichDedupId('Cust12345', 'person', 12)),
    ).toBeTruthy();

    const text = await cli(['replay', '--since', '2025-01-01T00:00:00Z'], env());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^reconcile job \S+ done: records updated from 2025-01-01T00:00:00.000Z to /,
    );
    expect(text.stdout).toMatch(/^ {2}contacts {2}1$/m);
  });

  it('leaves the job queued and exits 1 when no worker is connected', async () => {
    const q = maintenanceQueue();
    const run = await cli(['replay', '--since', '30m'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^no worker is connected to so-maintenance: job \S+ stays queued/);
    const [job] = await q.getWaiting();
    expect(job?.name).toBe('reconcile');
    expect(job?.data).toEqual({ tenant: 'Cust12345', since: expect.any(String), trigger: 'cli' });
  });

  it('returns at once with --no-wait', async () => {
    const q = maintenanceQueue();
    const run = await cli(['replay', '--since', '2h', '--no-wait', '--json'], env());
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ queue: 'so-maintenance', state: 'waiting' });
    expect(await q.getWaitingCount()).toBe(1);
  });

  it('exits 1 with the reason when the reconcile job fails', async () => {
    await startReconcileWorker({ fail: 'tenant is Suspended' });
    const run = await cli(['replay', '--since', '1d'], env());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^so-connector: reconcile job \S+ failed: tenant is Suspended$/m);
  });

  it('needs no SuperOffice credentials, and refuses a bad --since', async () => {
    const bare = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix, SO_CONTEXT_IDENTIFIER: 'Cust12345' };
    expect((await cli(['replay', '--since', '1h', '--no-wait'], bare)).code).toBe(0);
    const bad = await cli(['replay', '--since', 'yesterday'], bare);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since yesterday: expected an ISO time/);
  });
});
