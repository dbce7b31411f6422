import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  BackfillProgressStore,
  createMaintenanceQueue,
  createRedisConnection,
  maintenanceJobSchema,
  QUEUE_NAMES,
  type BackfillResult,
  type BackfillSpec,
} from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { cli, envFor } from './cli-harness';

// Real: Redis and the simulator; a small BullMQ worker on so-maintenance stands in for the
// worker's backfill processor (tested in apps/worker/test/backfill.int.test.ts) and speaks the
// same contract: the job's spec in, progress and the stop flag in Redis, a BackfillResult out.
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

async function startStandIn(records: number) {
  const specs: BackfillSpec[] = [];
  const progress = new BackfillProgressStore(connection, prefix);
  const workerConnection = connection.duplicate();
  const worker = new Worker(
    QUEUE_NAMES.maintenance,
    async (job): Promise<BackfillResult> => {
      const spec = maintenanceJobSchema.parse(job.data).backfill!;
      specs.push(spec);
      const base = {
        runId: spec.runId,
        matched: records,
        current: 0,
        toEnrich: records,
        providerCalls: records,
        superOfficeCalls: 1 + 2 * records,
      };
      if (spec.dryRun) return { ...base, status: 'dry-run', enqueued: 0 };
      const previous = await progress.read('Cust12345', spec.runId);
      let enqueued = previous?.status === 'stopped' ? previous.enqueued : 0;
      await progress.clearStop('Cust12345', spec.runId);
      const write = (status: 'running' | 'stopped' | 'completed') =>
        progress.write('Cust12345', {
          ...base,
          status,
          enqueued,
          done: enqueued,
          cursor: { contact: enqueued, person: 0 },
          startedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        });
      while (enqueued < records) {
        if (await progress.stopRequested('Cust12345', spec.runId)) {
          await write('stopped');
          return { ...base, status: 'stopped', enqueued };
        }
        enqueued++;
        await write('running');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await write('completed');
      return { ...base, status: 'completed', enqueued };
    },
    { connection: workerConnection, prefix },
  );
  closers.push(async () => {
    await worker.close();
    await workerConnection.quit();
  });
  const q = createMaintenanceQueue(connection, prefix);
  closers.push(() => q.close());
  await waitFor(async () => (await q.getWorkersCount()) > 0, { what: 'the stand-in worker' });
  return { specs, progress };
}

describe('backfill', () => {
  it('sends the selection to the worker and prints what a dry run would cost', async () => {
    const { specs } = await startStandIn(5);
    const dir = mkdtempSync(join(tmpdir(), 'so-backfill-'));
    writeFileSync(join(dir, 'ids.txt'), '3\n5, 7\n');
    const run = await cli(
      [
        'backfill',
        '--dry-run',
        '--owner',
        '5,12',
        '--category',
        '4',
        '--target-empty',
        '--updated-since',
        '2026-01-01T00:00:00Z',
        '--ids-file',
        join(dir, 'ids.txt'),
        '--rate',
        '120',
        '--max-provider-calls',
        '50',
        '--json',
      ],
      env(),
    );
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({
      result: { status: 'dry-run', matched: 5, providerCalls: 5, superOfficeCalls: 11 },
    });
    expect(specs[0]).toMatchObject({
      entities: 'contacts',
      owners: [5, 12],
      categories: [4],
      targetEmpty: true,
      updatedSince: '2026-01-01T00:00:00.000Z',
      ids: [3, 5, 7],
      ratePerMinute: 120,
      maxProviderCalls: 50,
      dryRun: true,
    });
    expect(specs[0]!.runId).toMatch(/^[0-9a-f]{16}$/);

    const text = await cli(['backfill', '--dry-run', '--owner', '5,12'], env());
    expect(text.stdout).toContain('provider calls     at most 5');
    expect((await cli(['backfill', '--rate', '0'], env())).code).toBe(2);
    expect((await cli(['backfill', '--owner', 'x'], env())).code).toBe(2);
  });

  it('Ctrl-C stops the run at the next record; the same command resumes it', async () => {
    const { specs, progress } = await startStandIn(30);
    const first = cli(['backfill', '--json'], env());
    await waitFor(
      async () => {
        const runId = specs[0]?.runId;
        return (
          runId !== undefined && ((await progress.read('Cust12345', runId))?.enqueued ?? 0) >= 12
        );
      },
      { what: 'the run under way' },
    );
    process.emit('SIGINT');
    const stopped = await first;
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('run the same command again to resume');
    expect(stopped.stderr).toMatch(/"progress":\{/);
    const partial = stopped.json<{ result: BackfillResult }>().result;
    expect(partial.status).toBe('stopped');
    expect(partial.enqueued).toBeLessThan(30);

    const resumed = await cli(['backfill', '--json'], env());
    expect(resumed.code).toBe(0);
    expect(resumed.json()).toMatchObject({ result: { status: 'completed', enqueued: 30 } });
    expect(specs[1]!.runId).toBe(specs[0]!.runId);
  });
});
