import {
  BackfillProgressStore,
  createMaintenanceQueue,
  MAINTENANCE_JOB_NAMES,
  scheduleEnrichment,
  TenantBudgets,
} from '@so-connector/queue';
import { waitFor } from '@so-connector/testing';
import { Redis } from 'ioredis';
import { B, eventJobsOf, soCalls, useTwoTenants, udfsOf } from './tenants-harness';
import { UDF } from './worker-harness';

// DESIGN.md "Many tenants": per-tenant budgets cap what one tenant can spend; over budget, its
// work is deferred, not failed, and the other tenants go on.
const HUMAN = 5;
const system = useTwoTenants();

/** Budgets are per clock minute: start far enough from a minute's end that one window holds the test. */
async function startOfAMinute(atLeastLeftMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < atLeastLeftMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe('worker: per-tenant budgets', () => {
  it('defers a tenant over its SuperOffice calls per minute until the next minute; never more calls, no failure; the other tenant goes on', async () => {
    await startOfAMinute(20_000);
    const LIMIT = 6;
    const t = await system.start({
      b: { budget: { superofficeCallsPerMinute: LIMIT, providerCallsPerHour: undefined } },
    });
    for (const id of [2, 3, 4, 5])
      t.simB.editAs(HUMAN, 'contact', id, { Name: `Budget test ${id} AS` });
    t.simA.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });

    const deferred = async () => {
      const runs = await t.runs.recentRuns({ tenant: B.contextIdentifier, limit: 20 });
      return runs.flatMap((run) => run.entries).filter((e) => e.reason === 'over-budget');
    };
    await waitFor(async () => (await deferred()).length > 0, {
      timeoutMs: 15_000,
      what: "B's first enrichment deferred over budget",
    });
    await waitFor(() => String(udfsOf(t.simA, 2)[UDF.summary] ?? '').includes('Nordlys'), {
      timeoutMs: 15_000,
      what: "A's enrichment, untouched by B's budget",
    });

    // The budget holds across the whole window: never more calls than it allows.
    const connection = new Redis(system.redis().url);
    try {
      const budgets = new TenantBudgets(connection, system.redis().prefix);
      expect(await budgets.used(B.contextIdentifier, 'superoffice')).toBe(LIMIT);
    } finally {
      connection.disconnect();
    }
    expect(await soCalls(t, B.contextIdentifier)).toBeLessThanOrEqual(LIMIT);
    const [first] = await deferred();
    expect(first).toMatchObject({
      status: 'QUEUED',
      detail: expect.stringContaining(
        `tenant ${B.contextIdentifier} is over its SuperOffice calls per minute budget until`,
      ),
    });
    // Deferred to the next minute, not failed: B's enrich jobs wait delayed.
    const nextMinute = Math.ceil(Date.now() / 60_000) * 60_000;
    const waiting = await t.enrich.getJobs(['delayed']);
    const bJobs = waiting.filter((j) => j.data.tenant === B.contextIdentifier);
    expect(bJobs.length).toBeGreaterThan(0);
    for (const job of bJobs)
      expect(job.timestamp + job.delay).toBeLessThanOrEqual(nextMinute + 1000);
    expect((await t.enrich.getJobs(['failed'])).length).toBe(0);
    expect((await eventJobsOf(t, B.contextIdentifier)).every((j) => j.state !== 'failed')).toBe(
      true,
    );
  });
});

describe('worker: a tenant known over budget this minute', () => {
  it('holds its next enrichments back from the start, or before they take their causes or read anything', async () => {
    await startOfAMinute(20_000);
    const t = await system.start({
      b: { budget: { superofficeCallsPerMinute: 3, providerCallsPerHour: undefined } },
    });
    const entries = async () =>
      (await t.runs.recentRuns({ tenant: B.contextIdentifier, limit: 20 })).flatMap(
        (run) => run.entries,
      );
    // An enrichment of the record deferred over budget (its run entry), and its job.
    const deferredJob = async (recordId: number) => {
      const entry = (await entries()).find(
        (e) => e.kind === 'enrichment' && e.record?.id === recordId && e.reason === 'over-budget',
      );
      const job = entry?.job ? await t.enrich.getJob(entry.job.id) : undefined;
      return job && (await job.isDelayed()) ? job : undefined;
    };
    // The first enrichment spends the budget (with the worker's own look-ups) and is refused a
    // call partway: deferred the long way, after it took its causes.
    t.simB.editAs(HUMAN, 'contact', 2, { Name: 'Spent budget 2 AS' });
    const first = await waitFor(() => deferredJob(2), {
      timeoutMs: 15_000,
      what: "B's first enrichment deferred over budget",
    });
    expect(first.data.eventIds?.length).toBeGreaterThan(0);
    const callsBefore = await soCalls(t, B.contextIdentifier);
    const nextMinute = Math.ceil(Date.now() / 60_000) * 60_000;

    // Known spent now: a change's new enrichment is added waiting for the next minute, never
    // taken up before (no enrichment entry, no call), and its event's entry says so.
    t.simB.editAs(HUMAN, 'contact', 3, { Name: 'Spent budget 3 AS' });
    const queued = await waitFor(
      async () =>
        (await entries()).find(
          (e) => e.kind === 'event' && e.record?.id === 3 && e.status === 'QUEUED',
        ),
      { timeoutMs: 15_000, what: "the event of B's change to company 3 queued" },
    );
    expect(queued.detail).toMatch(
      /^changed: .*; over the SuperOffice calls per minute budget, waits until /,
    );
    const [held, ...more] = (await t.enrich.getJobs(['delayed'])).filter(
      (j) => j.data.tenant === B.contextIdentifier && j.data.recordId === 3,
    );
    expect(more).toHaveLength(0);
    expect(held!.timestamp + held!.delay).toBeGreaterThanOrEqual(nextMinute);
    expect(held!.timestamp + held!.delay).toBeLessThanOrEqual(nextMinute + 1000);

    // An enrichment asked for elsewhere (the CLI's `enrich`, the sweep) is not held back when it is
    // added: taken up, it waits at once, its causes left for the run that writes.
    await scheduleEnrichment(
      t.enrich,
      { tenant: B.contextIdentifier, entity: 'contact', recordId: 4, cause: 'cli:test' },
      { debounceMs: 0, maxWaitMs: 1000, attempts: 3 },
    );
    const next = await waitFor(() => deferredJob(4), {
      timeoutMs: 15_000,
      what: "B's enrichment asked for by the CLI deferred over budget",
    });
    expect(next.data.eventIds).toBeUndefined();
    expect(next.timestamp + next.delay).toBeLessThanOrEqual(nextMinute + 1000);
    expect((await entries()).some((e) => e.kind === 'enrichment' && e.record?.id === 3)).toBe(
      false,
    );
    expect(await soCalls(t, B.contextIdentifier)).toBe(callsBefore);
  });
});

describe('worker: a backfill over budget', () => {
  it('waits (delayed) instead of ending as skipped, and finishes once the budget allows', async () => {
    await startOfAMinute(20_000);
    const t = await system.start({
      b: { budget: { superofficeCallsPerMinute: 2, providerCallsPerHour: undefined } },
    });
    const connection = new Redis(system.redis().url, { maxRetriesPerRequest: null });
    const maintenance = createMaintenanceQueue(connection, system.redis().prefix);
    try {
      const job = await maintenance.add(MAINTENANCE_JOB_NAMES.backfill, {
        tenant: B.contextIdentifier,
        trigger: 'cli',
        backfill: { runId: 'budget', ratePerMinute: 60_000 },
      });
      await waitFor(
        async () =>
          (await maintenance.getJob(job.id!))?.attemptsStarted === 1 && (await job.isDelayed()),
        {
          timeoutMs: 15_000,
          what: 'the backfill deferred over budget',
        },
      );
      const deferred = await maintenance.getJob(job.id!);
      expect(deferred?.returnvalue ?? null).toBeNull(); // not finished as skipped
      expect(deferred!.failedReason ?? '').toBe('');

      // The operator lifts the budget; the deferred backfill runs when it is due (promoted here).
      await t.store.update(B.contextIdentifier, (b) => ({
        ...b,
        budget: { superofficeCallsPerMinute: undefined, providerCallsPerHour: undefined },
      }));
      await waitFor(
        () => t.registry.get(B.contextIdentifier)?.budget.superofficeCallsPerMinute === undefined,
        {
          what: "the registry to drop B's budget",
        },
      );
      await deferred!.promote();
      await waitFor(async () => (await maintenance.getJob(job.id!))?.finishedOn !== undefined, {
        timeoutMs: 20_000,
        what: 'the backfill to finish',
      });
      expect((await maintenance.getJob(job.id!))?.returnvalue).toMatchObject({
        runId: 'budget',
        status: 'completed',
      });
      const progress = await new BackfillProgressStore(connection, system.redis().prefix).read(
        B.contextIdentifier,
        'budget',
      );
      expect(progress?.status).toBe('completed');
    } finally {
      await maintenance.obliterate({ force: true }).catch(() => undefined);
      await maintenance.close();
      connection.disconnect();
    }
  });
});

describe('worker: fair priorities between tenants', () => {
  it("puts a tenant's enrichments above its quiet rate behind the other tenants'", async () => {
    const t = await system.start({ worker: { quietEventsPerMinute: 2 } });
    for (const id of [2, 3, 4, 5]) t.simB.editAs(HUMAN, 'contact', id, { Name: `Flood ${id} AS` });
    await t.settled();
    t.simA.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await t.settled();
    const jobs = await t.enrich.getJobs(['completed']);
    const priorityOf = (tenant: string) =>
      jobs
        .filter((j) => j.data.tenant === tenant)
        .map((j) => j.opts.priority ?? 0)
        .sort((a, b) => a - b);
    // B's first two relevant events in the minute are quiet; the 3rd and 4th are a flood:
    // 1 + log2(count / quiet) = 1, then 2.
    expect(priorityOf(B.contextIdentifier)).toEqual([0, 0, 1, 2]);
    expect(priorityOf('Cust12345')).toEqual([0]);
  });
});
