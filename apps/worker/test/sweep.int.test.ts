import { MAINTENANCE_JOB_NAMES, type ReconcileResult } from '@so-connector/queue';
import { waitFor } from '@so-connector/testing';
import { RECONCILE_OVERLAP_MS } from '../src/maintenance/reconcile';
import { HUMAN, useMaintenanceWorker } from './maintenance-fixture';
import { UDF } from './worker-harness';

// The reconciliation sweep (apps/worker/src/maintenance/reconcile.ts) against the simulator.
const m = useMaintenanceWorker();

describe('maintenance: the reconciliation sweep (simulator, real Redis)', () => {
  it('scheduled sweeps continue from a cursor (with an overlap for clock skew); an older replay does not rewind it', async () => {
    await m.start();
    // Changes SuperOffice never delivered (the webhook is gone); the seed itself is from 2024.
    for (const hook of m.sut.sim.webhooks()) hook.State = 'Stopped';
    m.sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Software AB (sweep)' });
    m.sut.sim.editAs(HUMAN, 'person', 12, { Title: 'Head of Procurement' });
    // trigger cli: a scheduled sweep would leave changes younger than the debounce to the next one.
    const first = await m.runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    expect(first).toMatchObject({ contacts: 1, persons: 1, enqueued: 2 });
    await m.sut.settled();
    const written = await m.sut.enrich.getCompleted();
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

    const second = await m.runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile);
    expect(Date.parse(second.since)).toBe(Date.parse(first.until) - RECONCILE_OVERLAP_MS);

    const replaySince = new Date(Date.parse(first.since) - 3600_000).toISOString();
    const replay = await m.runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      since: replaySince,
      trigger: 'cli',
    });
    expect(replay.since).toBe(replaySince);
    await m.sut.settled();
    const third = await m.runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile);
    expect(Date.parse(third.since)).toBe(Date.parse(replay.until) - RECONCILE_OVERLAP_MS);
  });

  it('with webhooks healthy and traffic flowing, a sweep reads no record: every change was seen as an event', async () => {
    await m.start();
    // Stamped a second early, so the connector's write-backs of 3 and 12 fall in a later second.
    m.sut.sim.state.clock = () => new Date(Date.now() - 1000);
    m.sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Software AB (touched)' });
    m.sut.sim.editAs(HUMAN, 'contact', 4, { Department: 'Reception' });
    m.sut.sim.editAs(HUMAN, 'contact', 5, { Department: 'Customs' });
    m.sut.sim.editAs(HUMAN, 'person', 12, { Title: 'Head of Automation' });
    m.sut.sim.state.clock = () => new Date();
    await m.sut.settled();
    const reads = () =>
      m.sut.sim.counters.get('GET Contact/{id}') + m.sut.sim.counters.get('GET Person/{id}');
    const readsBefore = reads();
    const enrichedBefore = (await m.sut.enrich.getCompleted()).length;

    // An operator's replay (trigger cli) takes every row, however recent (a scheduled sweep
    // leaves rows younger than the debounce window to the next one).
    const result = await m.runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    await m.sut.settled();
    // 4 and 5 were skipped as events; 3 and 12 were last saved by the connector's write-back,
    // whose echo sets no marker: their rows hold what was enriched.
    expect(result).toMatchObject({ contacts: 3, persons: 1, enqueued: 0 });
    expect(result.reasons).toEqual({ 'event-handled': 2, unchanged: 2 });
    expect(reads()).toBe(readsBefore);
    expect((await m.sut.enrich.getCompleted()).length).toBe(enrichedBefore);
  });

  it('with the webhook parked, a sweep reads exactly the records whose enrichment inputs changed (or whose written value was emptied) and enriches them', async () => {
    await m.start();
    // Enriched while the webhook works: 2, 3, 4 and persons 11, 12. (These saves are stamped a
    // second early, so the connector's write-backs fall in a later second than them.)
    m.sut.sim.state.clock = () => new Date(Date.now() - 1000);
    for (const id of [2, 3, 4]) m.sut.sim.editAs(HUMAN, 'contact', id, { OrgNr: `9100000${id}` });
    for (const id of [11, 12]) m.sut.sim.editAs(HUMAN, 'person', id, { Title: `Lead ${id}` });
    m.sut.sim.state.clock = () => new Date();
    await m.sut.settled();
    const udfsOf = (id: number) =>
      m.sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>;
    const summary2 = udfsOf(2)[UDF.summary]!;
    expect(summary2).not.toBe('');

    // SuperOffice stops delivering: these changes never arrive as events. SuperOffice's `updated`
    // has whole seconds: each human save is stamped in the same second as the connector's
    // write-back of that record, whose echo was handled — it must not count as seen.
    for (const hook of m.sut.sim.webhooks()) hook.State = 'Stopped';
    const sameSecond = (kind: 'contact' | 'person', id: number) => {
      const at = Date.parse(`${String(m.sut.sim.state.get(kind, id)!.UpdatedDate)}Z`);
      m.sut.sim.state.clock = () => new Date(at);
    };
    sameSecond('contact', 3);
    m.sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Cloud Software AB' });
    sameSecond('person', 12);
    m.sut.sim.editAs(HUMAN, 'person', 12, { Title: 'Chief Robotics Officer' });
    m.sut.sim.state.clock = () => new Date();
    m.sut.sim.editAs(HUMAN, 'contact', 4, { Department: 'Reception' });
    m.sut.sim.editAs(HUMAN, 'contact', 2, {
      UserDefinedFields: { ...udfsOf(2), [UDF.summary]: '' },
    });
    m.sut.sim.editAs(HUMAN, 'person', 11, { Lastname: 'Married-Name' });
    await m.sut.sim.deliveriesSettled();
    const contactReads = m.sut.sim.counters.get('GET Contact/{id}');
    const personReads = m.sut.sim.counters.get('GET Person/{id}');
    const enrichedBefore = (await m.sut.enrich.getCompleted()).length;

    const result = await m.runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    await m.sut.settled();
    expect(result.enqueued).toBe(3);
    expect(result.reasons).toMatchObject({
      'inputs-changed': 2,
      'values-cleared': 1,
      unchanged: 2,
    });
    const swept = (await m.sut.enrich.getCompleted()).slice(
      0,
      (await m.sut.enrich.getCompleted()).length - enrichedBefore,
    );
    const outcomes = Object.fromEntries(
      swept.map((j) => [
        `${j.data.entity}:${j.data.recordId}`,
        (j.returnvalue as { outcome: string; providerCalled?: boolean }).providerCalled,
      ]),
    );
    expect(outcomes).toEqual({ 'contact:3': true, 'contact:2': false, 'person:12': true });
    // One read each for 3 and 2, person 12 and its company (2): no read for 4 or person 11.
    expect(m.sut.sim.counters.get('GET Contact/{id}') - contactReads).toBe(3);
    expect(m.sut.sim.counters.get('GET Person/{id}') - personReads).toBe(1);
    expect(udfsOf(3)[UDF.summary]).toContain('Fjordsky Cloud Software AB');
    expect(udfsOf(2)[UDF.summary]).toBe(summary2);

    // The connector's own writes came back as no events either: the next sweep finds them unchanged.
    const again = await m.runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    expect(again.enqueued).toBe(0);
  });

  it('a change whose enrichment failed for good is not counted as seen: the next sweep enqueues it', async () => {
    await m.start({ ENRICH_ATTEMPTS: '1' });
    m.sut.sim.faults.outage = true;
    m.sut.sim.editAs(HUMAN, 'contact', 3, { Name: 'Fjordsky Outage AB' });
    await waitFor(async () => (await m.sut.enrich.getFailed()).length === 1, {
      what: 'the enrichment to fail for good',
    });
    m.sut.sim.faults.outage = false;
    const result = await m.runMaintenance<ReconcileResult>(MAINTENANCE_JOB_NAMES.reconcile, {
      trigger: 'cli',
    });
    expect(result.reasons).toMatchObject({ 'never-enriched': 1 });
    expect(result.enqueued).toBe(1);
    await m.sut.settled();
    const udfs = m.sut.sim.state.get('contact', 3)!.UserDefinedFields as Record<string, string>;
    expect(udfs[UDF.summary]).toContain('Fjordsky Outage AB');
  });
});
