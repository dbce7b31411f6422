import { MAINTENANCE_JOB_NAMES, type ReconcileResult } from '@so-connector/queue';
import { ActivityCounters, WebhookHealthStore } from '@so-connector/sync-runs';
import { freePort, waitFor } from '@so-connector/testing';
import type { WatchdogOutcome } from '../src/maintenance/watchdog';
import { HUMAN, TENANT, useMaintenanceWorker } from './maintenance-fixture';
import { UDF } from './worker-harness';

// The webhook watchdog (and the activity counters the dashboard charts); the reconciliation
// sweep's own tests are in sweep.int.test.ts.
const m = useMaintenanceWorker();

describe('maintenance: webhook watchdog and reconciliation (simulator, real Redis)', () => {
  it('registers both job schedulers with the configured periods, and removes one whose period is 0', async () => {
    await m.start({ WATCHDOG_INTERVAL_MS: '60000', RECONCILE_INTERVAL_MS: '0' });
    const schedulers = await m.maintenance.getJobSchedulers();
    expect(schedulers.map((s) => [s.name, s.every])).toEqual([
      [MAINTENANCE_JOB_NAMES.watchdog, 60000],
    ]);
    // BullMQ runs an `every` scheduler's first job at once (a check at start-up), the next a period later.
    await waitFor(async () => (await m.maintenance.getCompleted()).length === 1, {
      what: 'the watchdog run at start-up',
    });
    const [first] = await m.maintenance.getCompleted();
    expect(first?.name).toBe(MAINTENANCE_JOB_NAMES.watchdog);
    expect(first?.data).toEqual({ tenant: TENANT, trigger: 'schedule' });
    expect(first?.returnvalue).toEqual({ checked: 1, reactivated: [] });
    const [next] = await m.maintenance.getDelayed();
    expect(next?.name).toBe(MAINTENANCE_JOB_NAMES.watchdog);
    expect(next!.timestamp + next!.delay - Date.now()).toBeGreaterThan(50_000);
  });

  it('re-activates a webhook parked in TooManyErrors, counts the alert, and the reconciliation enriches what changed while SuperOffice was dropping events', async () => {
    const metricsPort = await freePort();
    await m.start({ METRICS_PORT: String(metricsPort) });
    const healthy = await m.runMaintenance<WatchdogOutcome>(MAINTENANCE_JOB_NAMES.watchdog);
    expect(healthy).toEqual({ checked: 1, reactivated: [] });
    await m.sut.settled();

    // The receiver is down: every delivery fails; 3 changes × 3 tries park the webhook.
    m.sut.failDeliveries(true);
    for (let i = 1; i <= 3; i++)
      m.sut.sim.editAs(HUMAN, 'contact', 4, { Description: `Outage edit ${i}` });
    await waitFor(() => m.webhookState() === 'TooManyErrors', { what: 'TooManyErrors' });
    m.sut.failDeliveries(false);
    // Changes made while the webhook is parked are never delivered at all.
    m.sut.sim.editAs(HUMAN, 'contact', 5, {
      Name: 'Brightwave Solar Systems AS',
      Description: 'Solar panels and battery storage for farms.',
    });
    await m.sut.sim.deliveriesSettled();
    const dropped = m.sut.sim.deliveries.length;

    const outcome = await m.runMaintenance<WatchdogOutcome>(MAINTENANCE_JOB_NAMES.watchdog);
    expect(outcome.reactivated).toEqual([m.sut.sim.webhooks()[0]!.WebhookId]);
    expect(m.webhookState()).toBe('Active');

    // The watchdog queued a sweep from its last healthy check; it enqueues 4 and 5, which get enriched.
    await waitFor(
      async () => (await m.maintenance.getCompleted()).some((j) => j.name === 'reconcile'),
      { what: 'the reconciliation after re-activation', timeoutMs: 20_000 },
    );
    await m.sut.settled();
    const sweep = (await m.maintenance.getCompleted()).find((j) => j.name === 'reconcile')!;
    expect(sweep.data.trigger).toBe('watchdog');
    const result = sweep.returnvalue as ReconcileResult;
    expect(result.contacts).toBeGreaterThanOrEqual(2);
    for (const id of [4, 5]) {
      const udfs = m.sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>;
      expect(udfs[UDF.summary]).not.toBe('');
    }
    const summary5 = (
      m.sut.sim.state.get('contact', 5)!.UserDefinedFields as Record<string, string>
    )[UDF.summary];
    expect(summary5).toContain('Brightwave');
    expect(m.sut.sim.deliveries.length).toBeGreaterThanOrEqual(dropped);

    const health = await new WebhookHealthStore({
      redis: m.connection,
      prefix: m.redis.prefix,
    }).read(TENANT);
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
    await m.start();
    const watchdog = () => m.runMaintenance<WatchdogOutcome>(MAINTENANCE_JOB_NAMES.watchdog);
    const health = new WebhookHealthStore({ redis: m.connection, prefix: m.redis.prefix });
    const hook = () => m.sut.sim.webhooks()[0]!;
    expect(await watchdog()).toEqual({ checked: 1, reactivated: [] });

    // The receiver goes down: 3 changes × 3 tries park the webhook.
    m.sut.failDeliveries(true);
    for (let i = 1; i <= 3; i++)
      m.sut.sim.editAs(HUMAN, 'contact', 4, { Description: `Outage edit ${i}` });
    await waitFor(() => m.webhookState() === 'TooManyErrors', { what: 'TooManyErrors' });
    await m.sut.sim.deliveriesSettled();

    // Still down: two checks, both hold the re-activation back; no alert, no reconciliation.
    const first = await watchdog();
    expect(first).toEqual({ checked: 1, reactivated: [], held: [hook().WebhookId] });
    expect(m.webhookState()).toBe('TooManyErrors');
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
    expect(m.webhookState()).toBe('TooManyErrors');
    expect((await m.maintenance.getCompleted()).some((j) => j.name === 'reconcile')).toBe(false);

    // The receiver is back: the next check re-activates, counts the alert, queues the sweep.
    m.sut.failDeliveries(false);
    const back = await watchdog();
    expect(back.reactivated).toEqual([hook().WebhookId]);
    expect(back.held).toBeUndefined();
    expect(m.webhookState()).toBe('Active');
    const afterBack = (await health.read(TENANT))!;
    expect(afterBack.webhooks[0]!.reactivationHeld).toBeUndefined();
    expect(afterBack.webhooks[0]!.state).toBe('Active');
    expect(afterBack.alerts).toBe(1);
    await waitFor(
      async () => (await m.maintenance.getCompleted()).some((j) => j.name === 'reconcile'),
      { what: 'the reconciliation after re-activation', timeoutMs: 20_000 },
    );
    await m.sut.settled();
  });

  it('a failing check records the error for the dashboard and fails the job', async () => {
    await m.start();
    m.sut.sim.faults.outage = true;
    await expect(m.runMaintenance(MAINTENANCE_JOB_NAMES.watchdog)).rejects.toThrow();
    m.sut.sim.faults.outage = false;
    const health = await new WebhookHealthStore({
      redis: m.connection,
      prefix: m.redis.prefix,
    }).read(TENANT);
    expect(health?.checkError).toBeDefined();
    expect(health?.lastHealthyAt).toBeUndefined();
  });

  it('counts events, skips, enrichments and writes for the dashboard chart, and exposes them on /metrics', async () => {
    const metricsPort = await freePort();
    await m.start({ METRICS_PORT: String(metricsPort) });
    m.sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Software AB (metrics)' });
    await m.sut.settled();
    const series = await new ActivityCounters({
      redis: m.connection,
      prefix: m.redis.prefix,
    }).series(TENANT, Date.now() - 10 * 60_000);
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
