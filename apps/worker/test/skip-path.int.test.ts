import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { eventJobId, QUEUE_NAMES, type EventJobData } from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { ActivityCounters, SyncRunStore } from '@so-connector/sync-runs';
import {
  aWebhookEvent,
  superOfficeEnvFor,
  TEST_TENANT,
  useTestRedis,
  waitFor,
  type TestRedis,
  type WebhookEventFixture,
} from '@so-connector/testing';
import { startWorkerForTest, UDF } from './worker-harness';

// The so-events skip path writes its sync-run fact, seen marker and counters through a
// write-behind batcher shared by concurrent jobs (docs/architecture.md "The skip path"). These
// tests count what is in Redis afterwards: every skipped event has its fact, and a worker killed
// between batches loses none.

const OWN_ASSOCIATE = 42; // the simulator's API user
const ACCOUNTS = 40;

/** Half echoes of the connector's own writes, half changes of ignored columns: all skipped. */
function skipEvents(n: number): WebhookEventFixture[] {
  return Array.from({ length: n }, (_, i) => {
    const echo = i % 2 === 0;
    const id = 1 + (i % ACCOUNTS);
    return aWebhookEvent({
      Changes: echo ? ['userdef_id', 'updated'] : ['updated', 'department'],
      PrimaryKey: id,
      ChangedByAssociateId: echo ? OWN_ASSOCIATE : 5,
      FieldValues: {
        contact_id: id,
        updated: `2026-11-30T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`,
      },
    });
  });
}

async function addJobs(queue: Queue<EventJobData>, events: readonly WebhookEventFixture[]) {
  const receivedAt = new Date().toISOString();
  for (let i = 0; i < events.length; i += 500) {
    await queue.addBulk(
      events.slice(i, i + 500).map((event) => ({
        name: event.Event,
        data: { tenant: TEST_TENANT, receivedAt, deliveryRetry: 0, spooled: false, event },
        // Completed jobs are kept for the whole test: their ids are what is checked.
        opts: { jobId: eventJobId(event), attempts: 3, removeOnComplete: false },
      })),
    );
  }
}

/** The ids of every SKIPPED fact of the test accounts, and how many facts there are. */
async function skippedFacts(store: SyncRunStore): Promise<{ ids: Set<string>; count: number }> {
  const ids = new Set<string>();
  let count = 0;
  for (let account = 1; account <= ACCOUNTS; account++) {
    for (const fact of await store.factsForAccount(TEST_TENANT, account)) {
      if (fact.status !== 'SKIPPED') continue;
      ids.add(fact.id);
      count++;
    }
  }
  return { ids, count };
}

describe('the so-events skip path (real Redis)', () => {
  let redis: TestRedis;
  beforeEach(async () => {
    redis = await useTestRedis();
  });
  afterEach(async () => {
    await redis.cleanup();
  });

  it('records every one of many concurrent skips: fact, seen marker and counters', async () => {
    const sut = await startWorkerForTest({
      redisUrl: redis.url,
      prefix: redis.prefix,
      // EVENTS_CONCURRENCY's default: 64 jobs in flight share their writes.
      env: { SO_OWN_ASSOCIATE_ID: String(OWN_ASSOCIATE) },
    });
    const client = new Redis(redis.url);
    try {
      const events = skipEvents(600);
      await addJobs(sut.events, events);
      await waitFor(async () => (await sut.events.getCompletedCount()) === events.length, {
        timeoutMs: 60_000,
        what: 'every skip completed',
      });
      expect(await sut.events.getFailedCount()).toBe(0);
      expect(await sut.enrich.count()).toBe(0);

      const facts = await skippedFacts(sut.runs);
      expect(facts.count).toBe(events.length);
      expect([...facts.ids].sort()).toEqual(events.map((e) => e.EventId).sort());

      // The latest human change of each record is marked seen (contact 2: events 1, 41, ..., 561);
      // the connector's own echoes are not (contact 1: events 0, 40, ..., 560, all echoes).
      expect(await client.get(`${redis.prefix}:seen:${TEST_TENANT}:contact:2`)).toBe(
        '2026-11-30T10:09:21',
      );
      expect(await client.get(`${redis.prefix}:seen:${TEST_TENANT}:contact:1`)).toBeNull();
      // The activity chart counts each skip once (written after completion, best effort).
      const activity = new ActivityCounters({ redis: client, prefix: redis.prefix });
      await waitFor(
        async () => {
          const buckets = await activity.series(TEST_TENANT, Date.now() - 10 * 60_000);
          return buckets.reduce((sum, b) => sum + b.counts.skips, 0) === events.length;
        },
        { timeoutMs: 10_000, what: 'the skips counted' },
      );
    } finally {
      client.disconnect();
      await sut.close();
    }
  });

  describe('a worker process SIGKILLed between batches', () => {
    /** so-events jobs at once in the killed worker (EVENTS_CONCURRENCY). */
    const IN_FLIGHT = 8;
    const mainJs = join(__dirname, '..', 'dist', 'main.js');
    let sim: RunningSimulator;
    const children: ChildProcess[] = [];
    beforeEach(async () => {
      sim = await startSimulator();
    });
    afterEach(async () => {
      for (const child of children.splice(0))
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await sim.stop();
    });

    /** The built worker (as `pnpm start` runs it); a killed worker's jobs come back after 1 s. */
    async function startWorkerProcess(): Promise<ChildProcess> {
      const child = spawn(process.execPath, [mainJs], {
        env: {
          PATH: process.env.PATH ?? '',
          REDIS_URL: redis.url,
          QUEUE_PREFIX: redis.prefix,
          ...superOfficeEnvFor(sim),
          SO_UDF_VERTICAL: UDF.vertical,
          SO_OWN_ASSOCIATE_ID: String(OWN_ASSOCIATE),
          EVENTS_CONCURRENCY: String(IN_FLIGHT),
          WORKER_LOCK_DURATION_MS: '1000',
          METRICS_PORT: '0',
          WATCHDOG_INTERVAL_MS: '0',
          RECONCILE_INTERVAL_MS: '0',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out = (out + chunk.toString('utf8')).slice(-10_000);
      });
      await waitFor(() => out.includes('worker started'), {
        timeoutMs: 20_000,
        what: 'the worker process to start',
      });
      return child;
    }

    it('has a fact for every completed skip at the kill, and for every skip after a restart', async () => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: null });
      const queue = new Queue<EventJobData>(QUEUE_NAMES.events, {
        connection: client,
        prefix: redis.prefix,
      });
      const store = new SyncRunStore({ redis: client, prefix: redis.prefix });
      const completedKey = `${redis.prefix}:${QUEUE_NAMES.events}:completed`;
      try {
        const events = skipEvents(3000);
        await queue.pause();
        await addJobs(queue, events);
        const first = await startWorkerProcess();
        await queue.resume();
        await waitFor(async () => (await client.zcard(completedKey)) >= 600, {
          timeoutMs: 60_000,
          intervalMs: 5,
          what: 'part of the skips completed',
        });
        const exited = new Promise<void>((resolve) => first.once('exit', () => resolve()));
        first.kill('SIGKILL');
        await exited;

        // At the kill: jobs were still waiting and active, and every completed job has its fact.
        const completed = await client.zrange(completedKey, 0, -1);
        expect(completed.length).toBeLessThan(events.length);
        const atKill = await skippedFacts(store);
        const byJobId = new Map(events.map((e) => [eventJobId(e), e.EventId]));
        expect(completed.filter((id) => !atKill.ids.has(byJobId.get(id)!))).toEqual([]);

        // A new worker takes over the rest, the killed worker's active jobs included.
        await startWorkerProcess();
        await waitFor(async () => (await client.zcard(completedKey)) === events.length, {
          timeoutMs: 90_000,
          what: 'every skip completed after the restart',
        });
        expect(await queue.getFailedCount()).toBe(0);
        const after = await skippedFacts(store);
        expect([...after.ids].sort()).toEqual(events.map((e) => e.EventId).sort());
        // A job killed after its write and before its completion is recorded again when re-run:
        // never fewer facts than skips, at most one more per job active at the kill.
        expect(after.count).toBeGreaterThanOrEqual(events.length);
        expect(after.count - events.length).toBeLessThanOrEqual(IN_FLIGHT);
      } finally {
        await queue.close();
        client.disconnect();
      }
    });
  });
});
