import { QueueEvents, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  BACKFILL_PRIORITY,
  BackfillProgressStore,
  createMaintenanceQueue,
  MAINTENANCE_JOB_NAMES,
  type BackfillResult,
  type MaintenanceJobData,
} from '@so-connector/queue';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { startWorkerForTest, UDF, type WorkerUnderTest } from './worker-harness';

const TENANT = 'Cust12345';
let redis: TestRedis;
let sut: WorkerUnderTest;
let connection: Redis;
let maintenance: Queue<MaintenanceJobData>;
let events: QueueEvents;
let progress: BackfillProgressStore;

beforeEach(async () => {
  redis = await useTestRedis();
  sut = await startWorkerForTest({ redisUrl: redis.url, prefix: redis.prefix });
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  maintenance = createMaintenanceQueue(connection, redis.prefix);
  events = new QueueEvents(maintenance.name, {
    connection,
    prefix: redis.prefix,
  });
  await events.waitUntilReady();
  progress = new BackfillProgressStore(connection, redis.prefix);
});
afterEach(async () => {
  await events.close();
  await sut.close();
  await maintenance.obliterate({ force: true }).catch(() => undefined);
  await maintenance.close();
  connection.disconnect();
  await redis.cleanup();
});

type Spec = NonNullable<MaintenanceJobData['backfill']>;

async function backfill(spec: Partial<Spec> & { runId: string }): Promise<BackfillResult> {
  const job = await maintenance.add(MAINTENANCE_JOB_NAMES.backfill, {
    tenant: TENANT,
    trigger: 'cli',
    backfill: { ratePerMinute: 60_000, ...spec },
  });
  return (await job.waitUntilFinished(events, 30_000)) as BackfillResult;
}

const completedEnrichments = async () =>
  (await sut.enrich.getCompleted()).map((j) => ({
    record: `${j.data.entity}:${j.data.recordId}`,
    cause: j.data.lastEventId,
    priority: j.opts.priority,
    providerCalled: (j.returnvalue as { providerCalled?: boolean }).providerCalled,
  }));

describe('backfill (simulator, real Redis)', () => {
  it('counts in a dry run, enriches at backfill priority, and a second run costs no provider call', async () => {
    const dry = await backfill({ runId: 'all', dryRun: true });
    // 4 companies, none enriched: a read and a provider call each; 1 feed query + GET + PATCH each.
    expect(dry).toMatchObject({
      status: 'dry-run',
      matched: 4,
      current: 0,
      toEnrich: 4,
      providerCalls: 4,
      superOfficeCalls: 9,
    });
    expect(await backfill({ runId: 'owner5', owners: [5], dryRun: true })).toMatchObject({
      matched: 2,
    });
    expect(await completedEnrichments()).toEqual([]);

    expect(await backfill({ runId: 'all' })).toMatchObject({ status: 'completed', enqueued: 4 });
    await sut.settled();
    const first = await completedEnrichments();
    expect(first.map((e) => e.record).sort()).toEqual([
      'contact:2',
      'contact:3',
      'contact:4',
      'contact:5',
    ]);
    expect(first.every((e) => e.priority === BACKFILL_PRIORITY && e.cause === 'backfill:all')).toBe(
      true,
    );
    for (const id of [2, 3, 4, 5])
      expect(
        (sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>)[
          UDF.summary
        ],
      ).not.toBe('');

    // The run as the dashboard lists it: its selection, and its enrichments' outcomes.
    const listed = async () => (await progress.list(TENANT, 10)).find((r) => r.runId === 'all');
    expect(await listed()).toMatchObject({
      status: 'completed',
      enqueued: 4,
      finishedAt: expect.any(String),
      selection: { entities: 'contacts', targetEmpty: false, ratePerMinute: 60_000 },
      outcomes: { enriched: 4, unchanged: 0, skipped: 0, providerCalls: 4 },
    });

    // Run it again: every stored enrichment is current, so nothing is read or asked.
    expect(await backfill({ runId: 'all', dryRun: true })).toMatchObject({
      matched: 4,
      current: 4,
      toEnrich: 0,
      providerCalls: 0,
    });
    expect(await backfill({ runId: 'all' })).toMatchObject({ status: 'completed', enqueued: 0 });
    await sut.settled();
    expect((await completedEnrichments()).length).toBe(first.length);
    expect((await listed())?.outcomes).toEqual({
      enriched: 0,
      unchanged: 0,
      skipped: 0,
      providerCalls: 0,
    });

    // Only records whose target UDF is empty: after a human emptied one, that one.
    const udfs = sut.sim.state.get('contact', 3)!.UserDefinedFields as Record<string, string>;
    sut.sim.editAs(5, 'contact', 3, { Department: 'Sales' });
    await sut.settled();
    for (const hook of sut.sim.webhooks()) hook.State = 'Stopped';
    sut.sim.editAs(5, 'contact', 3, { UserDefinedFields: { ...udfs, [UDF.opener]: '' } });
    expect(await backfill({ runId: 'empty', targetEmpty: true, dryRun: true })).toMatchObject({
      matched: 1,
      toEnrich: 1,
      providerCalls: 0,
    });
  });

  it('stops at the next record when asked (Ctrl-C) and the same selection resumes after its cursor', async () => {
    // Persons of the seed: 11–14. One per second, so the stop lands mid-run.
    const job = await maintenance.add(MAINTENANCE_JOB_NAMES.backfill, {
      tenant: TENANT,
      trigger: 'cli',
      backfill: { runId: 'people', entities: 'persons', ratePerMinute: 60 },
    });
    await waitFor(async () => ((await progress.read(TENANT, 'people'))?.enqueued ?? 0) >= 1, {
      what: 'the first person enqueued',
    });
    await progress.requestStop(TENANT, 'people');
    const stopped = (await job.waitUntilFinished(events, 30_000)) as BackfillResult;
    expect(stopped.status).toBe('stopped');
    expect(stopped.enqueued).toBeLessThan(4);
    expect((await progress.read(TENANT, 'people'))?.cursor.person).toBeGreaterThanOrEqual(11);

    const resumed = await backfill({ runId: 'people', entities: 'persons' });
    expect(resumed).toMatchObject({ status: 'completed', enqueued: 4 });
    await sut.settled();
    const persons = (await completedEnrichments()).filter((e) => e.cause === 'backfill:people');
    expect(persons.map((e) => e.record).sort()).toEqual([
      'person:11',
      'person:12',
      'person:13',
      'person:14',
    ]);
  });

  it('stops before the provider budget is exceeded', async () => {
    const capped = await backfill({ runId: 'cap', maxProviderCalls: 2 });
    expect(capped).toMatchObject({ status: 'capped', enqueued: 2, providerCalls: 4 });
    const rest = await backfill({ runId: 'cap', maxProviderCalls: 10 });
    expect(rest).toMatchObject({ status: 'completed', enqueued: 4 });
  });
});
