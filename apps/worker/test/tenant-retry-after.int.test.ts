import { waitFor } from '@so-connector/testing';
import { Redis } from 'ioredis';
import { createMaintenanceQueue, MAINTENANCE_JOB_NAMES } from '@so-connector/queue';
import { TenantPauses } from '../src/tenants/tenant-pause';
import { B, soCalls, useTwoTenants, udfsOf } from './tenants-harness';
import { UDF } from './worker-harness';

// One tenant's Retry-After (SuperOffice 429) defers that tenant's enrichments only; the other
// tenants' go on (issue 12 §6: one tenant must not hold up another's enrichment).
const HUMAN = 5;
// Long enough that tenant A's enrichment, however loaded the machine, finishes inside B's pause.
const RETRY_AFTER_S = 15;
const system = useTwoTenants();

describe("worker: a tenant's Retry-After", () => {
  it("defers only that tenant's enrichments until it ends, with no call meanwhile and no failure", async () => {
    const t = await system.start();
    // B's runtime is built (its own associate read) before SuperOffice starts answering 429.
    t.simB.editAs(HUMAN, 'contact', 4, { Name: 'Warm-up AS' });
    await t.settled();
    t.simB.faults.retryAfterSeconds = RETRY_AFTER_S;
    t.simB.faults.rateLimitRemaining = 1;
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Paused tenant AS' });

    const rateLimited = async () => {
      const runs = await t.runs.recentRuns({ tenant: B.contextIdentifier, limit: 20 });
      return runs.flatMap((run) => run.entries).filter((e) => e.reason === 'rate-limited');
    };
    await waitFor(async () => (await rateLimited()).length > 0, {
      timeoutMs: 15_000,
      what: "B's enrichment deferred by SuperOffice's Retry-After",
    });
    const connection = new Redis(system.redis().url);
    const pause = await new TenantPauses(connection, system.redis().prefix)
      .current(B.contextIdentifier)
      .finally(() => connection.disconnect());
    expect(pause?.source).toBe('superoffice');
    const retryAt = pause!.retryAt;
    const [fact] = await rateLimited();
    expect(fact).toMatchObject({
      status: 'QUEUED',
      detail: expect.stringContaining(`tenant ${B.contextIdentifier}: SuperOffice asked to wait`),
    });
    const callsAtPause = await soCalls(t, B.contextIdentifier);

    // During B's pause: A is enriched, and B's next change waits without calling SuperOffice.
    t.simB.editAs(HUMAN, 'contact', 3, { Name: 'Second paused change AS' });
    t.simA.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await waitFor(() => String(udfsOf(t.simA, 2)[UDF.summary] ?? '').includes('Nordlys'), {
      timeoutMs: 15_000,
      what: "A's enrichment during B's pause",
    });
    await waitFor(
      async () =>
        (await t.enrich.getJobs(['delayed'])).filter((j) => j.data.tenant === B.contextIdentifier)
          .length === 2,
      { timeoutMs: 15_000, what: "both of B's enrichments waiting delayed" },
    );
    expect(Date.now()).toBeLessThan(retryAt); // A did not wait for B's pause
    expect(await soCalls(t, B.contextIdentifier)).toBe(callsAtPause);

    // After the pause: B's records are enriched, and nothing failed.
    await waitFor(
      () =>
        String(udfsOf(t.simB, 2)[B.udf.summary] ?? '').includes('Paused tenant') &&
        String(udfsOf(t.simB, 3)[B.udf.summary] ?? '').includes('Second paused'),
      { timeoutMs: (RETRY_AFTER_S + 15) * 1000, what: "B's enrichments after its pause" },
    );
    expect(Date.now()).toBeGreaterThanOrEqual(retryAt);
    expect(await t.enrich.getJobs(['failed'])).toHaveLength(0);
  }, 60_000);

  it("defers the tenant's events when SuperOffice says Retry-After while its runtime is built", async () => {
    const t = await system.start();
    t.simB.faults.retryAfterSeconds = 4;
    t.simB.faults.rateLimitRemaining = 1; // the first call: currentPrincipal, for B's own associate
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Late start AS' });
    await waitFor(
      async () =>
        (await t.events.getJobs(['delayed'])).some((j) => j.data.tenant === B.contextIdentifier),
      { timeoutMs: 15_000, what: "B's event deferred by the Retry-After" },
    );
    await waitFor(() => String(udfsOf(t.simB, 2)[B.udf.summary] ?? '').includes('Late start'), {
      timeoutMs: 30_000,
      what: "B's enrichment after its pause",
    });
    // Deferred, not failed: the human change's event ran twice (deferred once), then scheduled.
    const jobs = await t.events.getJobs(['completed', 'failed']);
    expect(jobs.filter((j) => j.failedReason)).toHaveLength(0);
    const human = jobs.find(
      (j) => j.data.tenant === B.contextIdentifier && j.data.event.ChangedByAssociateId === HUMAN,
    );
    expect(human?.attemptsStarted).toBe(2);
    expect(human?.returnvalue).toMatchObject({ outcome: 'scheduled' });
  }, 45_000);

  it('defers a backfill told to wait (Retry-After) instead of spending an attempt, and resumes it', async () => {
    const t = await system.start();
    t.simB.editAs(HUMAN, 'contact', 4, { Name: 'Warm-up AS' });
    await t.settled();
    const connection = new Redis(system.redis().url, { maxRetriesPerRequest: null });
    const maintenance = createMaintenanceQueue(connection, system.redis().prefix);
    try {
      t.simB.faults.retryAfterSeconds = 3;
      t.simB.faults.rateLimitRemaining = 1; // the backfill's first listing call
      const job = await maintenance.add(MAINTENANCE_JOB_NAMES.backfill, {
        tenant: B.contextIdentifier,
        trigger: 'cli',
        backfill: { runId: 'told-to-wait', ratePerMinute: 60_000 },
      });
      await waitFor(async () => (await maintenance.getJob(job.id!))?.finishedOn !== undefined, {
        timeoutMs: 30_000,
        what: 'the backfill to finish after its pause',
      });
      const done = await maintenance.getJob(job.id!);
      expect(done?.returnvalue).toMatchObject({ runId: 'told-to-wait', status: 'completed' });
      expect(done?.attemptsMade).toBe(1); // the deferral used no attempt
      expect(done?.attemptsStarted).toBe(2);
      expect(t.simB.faults.rateLimitRemaining).toBe(0);
    } finally {
      await maintenance.obliterate({ force: true }).catch(() => undefined);
      await maintenance.close();
      connection.disconnect();
    }
  }, 45_000);
});
