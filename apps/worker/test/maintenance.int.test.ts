import { QueueEvents, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  createMaintenanceQueue,
  MAINTENANCE_JOB_NAMES,
  type MaintenanceJobData,
  type ReconcileResult,
} from '@so-connector/queue';
import { ActivityCounters, WebhookHealthStore } from '@so-connector/sync-runs';
import { freePort, useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { RECONCILE_OVERLAP_MS } from '../src/maintenance/reconcile';
import type { WatchdogOutcome } from '../src/maintenance/watchdog';
import { startWorkerForTest, UDF, type WorkerUnderTest } from './worker-harness';

const HUMAN = 5;
const TENANT = 'Cust12345';
let redis: TestRedis;
let sut: WorkerUnderTest;
let connection: Redis;
let maintenance: Queue<MaintenanceJobData>;
let maintenanceEvents: QueueEvents;
let eventsConnection: Redis;

async function start(env: Record<string, string> = {}) {
  sut = await startWorkerForTest({ redisUrl: redis.url, prefix: redis.prefix, env });
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  maintenance = createMaintenanceQueue(connection, redis.prefix);
  eventsConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  maintenanceEvents = new QueueEvents(maintenance.name, {
    connection: eventsConnection,
    prefix: redis.prefix,
  });
  await maintenanceEvents.waitUntilReady();
}

/** Adds a maintenance job, as the scheduler or the CLI would, and waits for its result. */
async function runMaintenance<T>(name: string, data: Partial<MaintenanceJobData> = {}): Promise<T> {
  const job = await maintenance.add(name, { tenant: TENANT, ...data });
  return (await job.waitUntilFinished(maintenanceEvents, 20_000)) as T;
}

beforeEach(async () => {
  redis = await useTestRedis();
});
afterEach(async () => {
  await maintenanceEvents?.close();
  await sut?.close();
  await maintenance?.obliterate({ force: true }).catch(() => undefined);
  await maintenance?.close();
  connection?.disconnect();
  eventsConnection?.disconnect();
  await redis.cleanup();
});

const webhookState = () => sut.sim.webhooks()[0]?.State;

describe('maintenance: webhook watchdog and reconciliation (simulator, real Redis)', () => {
  it('registers both job schedulers with the configured periods, and removes one whose period is 0', async () => {
    await start({ WATCHDOG_INTERVAL_MS: '60000', RECONCILE_INTERVAL_MS: '0' });
    const schedulers = await maintenance.getJobSchedulers();
    expect(schedulers.map((s) => [s.name, s.every])).toEqual([
      [MAINTENANCE_JOB_NAMES.watchdog, 60000],
    ]);
    // BullMQ runs an `every` scheduler's first job at once (a check at start-up), the next a period later.
    await waitFor(async () => (await maintenance.getCompleted()).length === 1, {
      what: 'the watchdog run at start-up',
    });
    const [first] = await maintenance.getCompleted();
    expect(first?.name).toBe(MAINTENANCE_JOB_NAMES.watchdog);
    expect(first?.data).toEqual({ tenant: TENANT, trigger: 'schedule' });
    expect(first?.returnvalue).toEqual({ checked: 1, reactivated: [] });
    const [next] = await maintenance.getDelayed();
    expect(next?.name).toBe(MAINTENANCE_JOB_NAMES.watchdog);
    expect(next!.timestamp + next!.delay - Date.now()).toBeGreaterThan(50_000);
  });

  it('re-activates a webhook parked in TooManyErrors, counts the alert, and the reconciliation enriches what changed while SuperOffice was dropping events', async () => {
    const metricsPort = await freePort();
    await start({ METRICS_PORT: String(metricsPort) });
    const healthy = await runMaintenance<WatchdogOutcome>(MAINTENANCE_JOB_NAMES.watchdog);
    expect(healthy).toEqual({ checked: 1, reactivated: [] });
    await sut.settled();

    // The receiver is down: every delivery fails; 3 changes × 3 tries park the webhook.
    sut.failDeliveries(true);
    for (let i = 1; i <= 3; i++)
      sut.sim.editAs(HUMAN, 'contact', 4, { Description: `Outage edit ${i}` });
    await waitFor(() => webhookState() === 'TooManyErrors', { what: 'TooManyErrors' });
    sut.failDeliveries(false);
    // Changes made while the webhook is parked are never delivered at all.
    sut.sim.editAs(HUMAN, 'contact', 5, {
      Name: 'Brightwave Solar Systems AS',
      Description: 'Solar panels and battery storage for farms.',
    });
    await sut.sim.deliveriesSettled();
    const dropped = sut.sim.deliveries.length;

    const outcome = await runMaintenance<WatchdogOutcome>(MAINTENANCE_JOB_NAMES.watchdog);
    expect(outcome.reactivated).toEqual([sut.sim.webhooks()[0]!.WebhookId]);
    expect(webhookState()).toBe('Active');

    // The watchdog queued a sweep from its last healthy check; it enqueues 4 and 5, which get enriched.
    await waitFor(
      async () => (await maintenance.getCompleted()).some((j) => j.name === 'reconcile'),
      { what: 'the reconciliation after re-activation', timeoutMs: 20_000 },
    );
    await sut.settled();
    const sweep = (await maintenance.getCompleted()).find((j) => j.name === 'reconcile')!;
    expect(sweep.data.trigger).toBe('watchdog');
    const result = sweep.returnvalue as ReconcileResult;
    expect(result.contacts).toBeGreaterThanOrEqual(2);
    for (const id of [4, 5]) {
      const udfs = sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>;
      expect(udfs[UDF.summary]).not.toBe('');
    }
    const summary5 = (sut.sim.state.get('contact', 5)!.UserDefinedFields as Record<string, string>)[
      UDF.summary
    ];
    expect(summary5).toContain('Brightwave');
    expect(sut.sim.deliveries.length).toBeGreaterThanOrEqual(dropped);

    const health = await new WebhookHealthStore({ redis: connection, prefix: redis.prefix }).read(
      TENANT,
    );
    expect(health).toMatchObject({
      alerts: 1,
      lastAlert: { state: 'TooManyErrors' },
      webhooks: [{ state: 'Active' }],
    });
    expect(health?.lastHealthyAt).toBe(health?.checkedAt);

    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(
      /so_worker_webhook_alerts_total\{tenant="Cust12345",state="TooManyErrors"\} 1/,
    );
    expect(text).toMatch(/so_worker_reconcile_enqueued_total\{tenant="Cust12345"\} [1-9]/);
  });

  // Re-activated while the receiver is still down, SuperOffice parks the webhook again within
  // seconds: the watchdog has SuperOffice test the target (POST /Webhook/Test) first.
  it('leaves a parked webhook parked while its receiver is down, records it for the dashboard, and re-activates it once the receiver answers', async () => {
    await start();
    const watchdog = () => runMaintenance<WatchdogOutcome>(MAINTENANCE_JOB_NAMES.watchdog);
    const health = new WebhookHealthStore({ redis: connection, prefix: redis.prefix });
    const hook = () => sut.sim.webhooks()[0]!;
    expect(await watchdog()).toEqual({ checked: 1, reactivated: [] });

    // The receiver goes down: 3 changes × 3 tries park the webhook.
    sut.failDeliveries(true);
    for (let i = 1; i <= 3; i++)
      sut.sim.editAs(HUMAN, 'contact', 4, { Description: `Outage edit ${i}` });
    await waitFor(() => webhookState() === 'TooManyErrors', { what: 'TooManyErrors' });
    await sut.sim.deliveriesSettled();

    // Still down: two checks, both hold the re-activation back; no alert, no reconciliation.
    const first = await watchdog();
    expect(first).toEqual({ checked: 1, reactivated: [], held: [hook().WebhookId] });
    expect(webhookState()).toBe('TooManyErrors');
    const afterFirst = (await health.read(TENANT))!;
    const heldFirst = afterFirst.webhooks[0]!.reactivationHeld!;
    expect(heldFirst).toMatchObject({
      checks: 1,
      at: afterFirst.checkedAt,
      since: afterFirst.checkedAt,
    });
    expect(heldFirst.reason).toBe("the target did not answer SuperOffice's test ping: HTTP 500");
    expect(afterFirst.webhooks[0]!.state).toBe('TooManyErrors');
    expect(afterFirst.alerts).toBe(0);

    await watchdog();
    const afterSecond = (await health.read(TENANT))!;
    expect(afterSecond.webhooks[0]!.reactivationHeld).toMatchObject({
      checks: 2,
      since: heldFirst.since,
      at: afterSecond.checkedAt,
    });
    expect(webhookState()).toBe('TooManyErrors');
    expect((await maintenance.getCompleted()).some((j) => j.name === 'reconcile')).toBe(false);

    // The receiver is back: the next check re-activates, counts the alert, queues the sweep.
    sut.failDeliveries(false);
    const back = await watchdog();
    expect(back.reactivated).toEqual([hook().WebhookId]);
    expect(back.held).toBeUndefined();
    expect(webhookState()).toBe('Active');
    const afterBack = (await health.read(TENANT))!;
    expect(afterBack.webhooks[0]!.reactivationHeld).toBeUndefined();
    expect(afterBack.webhooks[0]!.state).toBe('Active');
    expect(afterBack.alerts).toBe(1);
    await waitFor(
      async () => (await maintenance.getCompleted()).some((j) => j.name === 'reconcile'),
      { what: 'the reconciliation after re-activation', timeoutMs: 20_000 },
    );
    await sut.settled();
  });

  it('a failing check records the error for the dashboard and fails the job', async () => {
    await start();
    sut.sim.faults.outage = true;
    await expect(runMaintenance(MAINTENANCE_JOB_NAMES.watchdog)).rejects.toThrow();
    sut.sim.faults.outage = false;
    const health = await new WebhookHealthStore({ redis: connection, prefix: redis.prefix }).read(
      TENANT,
    );
    expect(health?.checkError).toBeDefined();
    expect(health?.lastHealthyAt).toBeUndefined();
  });

  it('scheduled sweeps continue from a cursor (with an overlap for clock skew); an older replay does not rewind it', async () => {
    await start();
    // Changes SuperOffice never delivered (the webhook is gone); the seed itself is from 2024.
    for (const hook of sut.sim.webhooks()) hook.State = 'Stopped';
    sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Software AB (sweep)' });
    sut.sim.editAs(HUMAN, 'person', 12, { Title: 'Head of Procurement' });
    // trigger cli: a scheduled sweep would leave changes younger than the debounce to the next one.
    const first = await runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    expect(first).toMatchObject({ contacts: 1, persons: 1, enqueued: 2 });
    await sut.settled();
    const written = await sut.enrich.getCompleted();
    expect(
      written
        .map((j) => [
          j.data.entity,
          j.data.recordId,
          (j.returnvalue as { outcome: string }).outcome,
        ])
        .sort(),
    ).toEqual([
      ['contact', 3, 'written'],
      ['person', 12, 'written'],
    ]);

    const second = await runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile);
    expect(Date.parse(second.since)).toBe(Date.parse(first.until) - RECONCILE_OVERLAP_MS);

    const replaySince = new Date(Date.parse(first.since) - 3600_000).toISOString();
    const replay = await runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      since: replaySince,
      trigger: 'cli',
    });
    expect(replay.since).toBe(replaySince);
    await sut.settled();
    const third = await runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile);
    expect(Date.parse(third.since)).toBe(Date.parse(replay.until) - RECONCILE_OVERLAP_MS);
  });

  it('with webhooks healthy and traffic flowing, a sweep reads no record: every change was seen as an event', async () => {
    await start();
    // Stamped a second early, so the connector's write-backs of 3 and 12 fall in a later second.
    sut.sim.state.clock = () => new Date(Date.now() - 1000);
    sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Software AB (touched)' });
    sut.sim.editAs(HUMAN, 'contact', 4, { Department: 'Reception' });
    sut.sim.editAs(HUMAN, 'contact', 5, { Department: 'Customs' });
    sut.sim.editAs(HUMAN, 'person', 12, { Title: 'Head of Automation' });
    sut.sim.state.clock = () => new Date();
    await sut.settled();
    const reads = () =>
      sut.sim.counters.get('GET Contact/{id}') + sut.sim.counters.get('GET Person/{id}');
    const readsBefore = reads();
    const enrichedBefore = (await sut.enrich.getCompleted()).length;

    // An operator's replay (trigger cli) takes every row, however recent (a scheduled sweep
    // leaves rows younger than the debounce window to the next one).
    const result = await runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    await sut.settled();
    // 4 and 5 were skipped as events; 3 and 12 were last saved by the connector's write-back,
    // whose echo sets no marker: their rows hold what was enriched.
    expect(result).toMatchObject({ contacts: 3, persons: 1, enqueued: 0 });
    expect(result.reasons).toEqual({ 'event-handled': 2, unchanged: 2 });
    expect(reads()).toBe(readsBefore);
    expect((await sut.enrich.getCompleted()).length).toBe(enrichedBefore);
  });

  it('with the webhook parked, a sweep reads exactly the records whose enrichment inputs changed (or whose written value was emptied) and enriches them', async () => {
    await start();
    // Enriched while the webhook works: 2, 3, 4 and persons 11, 12. (These saves are stamped a
    // second early, so the connector's write-backs fall in a later second than them.)
    sut.sim.state.clock = () => new Date(Date.now() - 1000);
    for (const id of [2, 3, 4]) sut.sim.editAs(HUMAN, 'contact', id, { OrgNr: `9100000${id}` });
    for (const id of [11, 12]) sut.sim.editAs(HUMAN, 'person', id, { Title: `Lead ${id}` });
    sut.sim.state.clock = () => new Date();
    await sut.settled();
    const udfsOf = (id: number) =>
      sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>;
    const summary2 = udfsOf(2)[UDF.summary]!;
    expect(summary2).not.toBe('');

    // SuperOffice stops delivering: these changes never arrive as events. SuperOffice's `updated`
    // has whole seconds: each human save is stamped in the same second as the connector's
    // write-back of that record, whose echo was handled — it must not count as seen.
    for (const hook of sut.sim.webhooks()) hook.State = 'Stopped';
    const sameSecond = (kind: 'contact' | 'person', id: number) => {
      const at = Date.parse(`${String(sut.sim.state.get(kind, id)!.UpdatedDate)}Z`);
      sut.sim.state.clock = () => new Date(at);
    };
    sameSecond('contact', 3);
    sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Cloud Software AB' });
    sameSecond('person', 12);
    sut.sim.editAs(HUMAN, 'person', 12, { Title: 'Chief Robotics Officer' });
    sut.sim.state.clock = () => new Date();
    sut.sim.editAs(HUMAN, 'contact', 4, { Department: 'Reception' });
    sut.sim.editAs(HUMAN, 'contact', 2, {
      UserDefinedFields: { ...udfsOf(2), [UDF.summary]: '' },
    });
    sut.sim.editAs(HUMAN, 'person', 11, { Lastname: 'Married-Name' });
    await sut.sim.deliveriesSettled();
    const contactReads = sut.sim.counters.get('GET Contact/{id}');
    const personReads = sut.sim.counters.get('GET Person/{id}');
    const enrichedBefore = (await sut.enrich.getCompleted()).length;

    const result = await runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    await sut.settled();
    expect(result.enqueued).toBe(3);
    expect(result.reasons).toMatchObject({
      'inputs-changed': 2,
      'values-cleared': 1,
      unchanged: 2,
    });
    const swept = (await sut.enrich.getCompleted()).slice(
      0,
      (await sut.enrich.getCompleted()).length - enrichedBefore,
    );
    const outcomes = Object.fromEntries(
      swept.map((j) => [
        `${j.data.entity}:${j.data.recordId}`,
        (j.returnvalue as { outcome: string; providerCalled?: boolean }).providerCalled,
      ]),
    );
    expect(outcomes).toEqual({ 'contact:3': true, 'contact:2': false, 'person:12': true });
    // One read each for 3 and 2, person 12 and its company (2): no read for 4 or person 11.
    expect(sut.sim.counters.get('GET Contact/{id}') - contactReads).toBe(3);
    expect(sut.sim.counters.get('GET Person/{id}') - personReads).toBe(1);
    expect(udfsOf(3)[UDF.summary]).toContain('Fjordsky Cloud Software AB');
    expect(udfsOf(2)[UDF.summary]).toBe(summary2);

    // The connector's own writes came back as no events either: the next sweep finds them unchanged.
    const again = await runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    expect(again.enqueued).toBe(0);
  });

  it('a change whose enrichment failed for good is not counted as seen: the next sweep enqueues it', async () => {
    await start({ ENRICH_ATTEMPTS: '1' });
    sut.sim.faults.outage = true;
    sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Outage AB' });
    await waitFor(async () => (await sut.enrich.getFailed()).length === 1, {
      what: 'the enrichment to fail for good',
    });
    sut.sim.faults.outage = false;
    const result = await runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    expect(result.reasons).toMatchObject({ 'never-enriched': 1 });
    expect(result.enqueued).toBe(1);
    await sut.settled();
    const udfs = sut.sim.state.get('contact', 3)!.UserDefinedFields as Record<string, string>;
    expect(udfs[UDF.summary]).toContain('Fjordsky Outage AB');
  });

  it('counts events, skips, enrichments and writes for the dashboard chart, and exposes them on /metrics', async () => {
    const metricsPort = await freePort();
    await start({ METRICS_PORT: String(metricsPort) });
    sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Software AB (metrics)' });
    await sut.settled();
    const series = await new ActivityCounters({ redis: connection, prefix: redis.prefix }).series(
      TENANT,
      Date.now() - 10 * 60_000,
    );
    const total = (kind: 'events' | 'skips' | 'enrichments' | 'writes') =>
      series.reduce((sum, b) => sum + b.counts[kind], 0);
    // The human's change and the echo of our write: 2 events, 1 skipped, 1 enrichment that wrote.
    expect([total('events'), total('skips'), total('enrichments'), total('writes')]).toEqual([
      2, 1, 1, 1,
    ]);

    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /so_worker_events_total\{tenant="Cust12345",decision="skipped",reason="echo"\} 1/,
    );
    expect(text).toMatch(
      /so_worker_events_total\{tenant="Cust12345",decision="scheduled",reason="relevant"\} 1/,
    );
    expect(text).toMatch(/so_worker_enrichments_total\{tenant="Cust12345",outcome="written"\} 1/);
    expect(text).toMatch(
      /so_worker_provider_calls_total\{tenant="Cust12345",provider="builtin",method="enrichCompany",result="ok"\} 1/,
    );
    expect(text).toMatch(/so_worker_provider_latency_seconds_count\{[^}]*\} 1/);
    expect(text).toMatch(
      /so_worker_superoffice_calls_total\{tenant="Cust12345",method="PATCH",status="200"\} 1/,
    );
    expect(text).toMatch(/so_worker_end_to_end_seconds_count\{tenant="Cust12345"\} 1/);
    expect(text).toMatch(/so_queue_jobs\{queue="so-enrich",state="failed"\} 0/);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/nope`)).status).toBe(404);
  });
});
