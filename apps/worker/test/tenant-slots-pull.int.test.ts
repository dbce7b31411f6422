import { PassThrough } from 'node:stream';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '@so-connector/logger';
import { BudgetExceededError } from '@so-connector/queue';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import type { ReconsentStore } from '../src/tenants/reconsent-store';
import { bringForward, servePerTenant } from '../src/tenants/tenant-jobs';
import type { TenantRuntime } from '../src/tenants/tenant-runtime';
import type { TenantRuntimes } from '../src/tenants/tenant-runtimes';
import { TenantSlots } from '../src/tenants/tenant-slots';

// A freed slot brings the tenant's earliest turned-away job forward (tenant-slots.ts): the
// promotion through the finished job's own queue (the stage's `queueOf`: its partition), on real
// Redis and BullMQ.
let redis: TestRedis;
let connection: Redis;
let queue: Queue;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  queue = new Queue('so-enrich', { connection, prefix: `${redis.prefix}-pull` });
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  await redis.cleanup();
});

const logger = createLogger({
  component: 'worker',
  level: 'error',
  format: 'json',
  destination: new PassThrough(),
});

describe('bringForward', () => {
  it('moves a delayed job of the same queue to wait, and leaves a job that is not delayed', async () => {
    const away = await queue.add(
      'enrich',
      { tenant: 'CustB' },
      { jobId: 'turned-away', delay: 600_000 },
    );
    expect(await queue.getJobState('turned-away')).toBe('delayed');
    const pulled = { id: 'turned-away', retryAt: away.timestamp + away.delay };

    await bringForward(queue, pulled, logger);
    expect(await queue.getJobState('turned-away')).toBe('waiting');

    // Already waiting (it came back by itself, or another process promoted it) or gone: no error.
    await bringForward(queue, pulled, logger);
    await bringForward(queue, { id: 'no-such-job', retryAt: pulled.retryAt }, logger);
    expect(await queue.getJobState('turned-away')).toBe('waiting');
  });

  it('leaves a job delayed since for another time (a retry backoff, a budget window, a pause)', async () => {
    const backoff = await queue.add(
      'enrich',
      { tenant: 'CustB' },
      { jobId: 'backing-off', delay: 300_000 },
    );
    // The slot cap had turned it away for another time; since then it ran elsewhere and waits.
    const stale = { id: 'backing-off', retryAt: backoff.timestamp + backoff.delay - 5_000 };

    await bringForward(queue, stale, logger);
    expect(await queue.getJobState('backing-off')).toBe('delayed');
  });
});

describe('promote on release, through a real BullMQ Worker', () => {
  it.each([
    ['ends', 'starts then, not at the time it was given', false],
    ['is told to wait for its budget', 'keeps its time (it would be told the same)', true],
  ])(
    "when a tenant's running job %s, its turned-away job %s",
    async (_ends, _then, overBudget) => {
      const prefix = `${redis.prefix}-release-${overBudget ? 'budget' : 'done'}`;
      const jobs = new Queue('so-enrich', { connection, prefix });
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const started: Record<string, number> = {};
      // Two tenants registered, cap 1 of 2 slots: CustA's second job is turned away while its first
      // runs, each time for longer (the age of the running job), up to the horizon.
      const processor = servePerTenant(
        {
          runtimes: {
            access: () => Promise.resolve({ kind: 'ready', runtime: {} as TenantRuntime }),
          } as unknown as TenantRuntimes,
          reconsent: {} as ReconsentStore,
          deferMs: 600_000,
          logger,
          slots: new TenantSlots({ cap: 1, concurrency: 2, tenants: () => 2 }),
          queueOf: () => jobs,
        },
        async (job: Job<{ tenant: string }>) => {
          started[job.id!] = Date.now();
          if (job.id !== 'a1') return 'done';
          await gate;
          if (overBudget)
            throw new BudgetExceededError('CustA', 'superoffice', Date.now() + 600_000);
          return 'done';
        },
        () => 'skipped',
      );
      const worker = new Worker('so-enrich', processor, { connection, prefix, concurrency: 2 });
      try {
        await jobs.add('enrich', { tenant: 'CustA' }, { jobId: 'a1' });
        await jobs.add('enrich', { tenant: 'CustA' }, { jobId: 'a2' });
        // Until a2 is delayed for 2.5 s or more from now (the slot cap's growing step).
        const retryAt = await waitFor(
          async () => {
            const score = await connection.zscore(jobs.keys.delayed!, 'a2');
            const at = score === null ? 0 : Math.floor(Number(score) / 0x1000);
            return at - Date.now() >= 2500 ? at : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 20, what: 'a2 turned away for 2.5 s or more' },
        );
        expect(started.a2).toBeUndefined();

        open();
        if (overBudget) {
          // a1 waits for the budget; a2 would only be told the same: it keeps its time.
          await waitFor(async () => (await jobs.getJobState('a1')) === 'delayed', {
            timeoutMs: 30_000,
            what: 'a1 deferred over budget',
          });
          await new Promise((resolve) => setTimeout(resolve, 300));
          const score = await connection.zscore(jobs.keys.delayed!, 'a2');
          expect(Math.floor(Number(score) / 0x1000)).toBe(retryAt);
          expect(started.a2).toBeUndefined();
          return;
        }
        await waitFor(async () => (await jobs.getJobState('a2')) === 'completed', {
          timeoutMs: 30_000,
          what: 'a2 completed',
        });
        // Pulled forward by a1's freed slot: it ran before the time the cap had given it.
        expect(started.a2).toBeLessThan(retryAt);
        expect(await jobs.getJobState('a1')).toBe('completed');
      } finally {
        open();
        await worker.close();
        await jobs.obliterate({ force: true });
        await jobs.close();
      }
    },
    60_000,
  );
});
