import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { ActivityCounters } from '@so-connector/sync-runs';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { startWorkerForTest, UDF, type WorkerUnderTest } from './worker-harness';

const HUMAN = 5;
let redis: TestRedis;
let sut: WorkerUnderTest;

beforeEach(async () => {
  redis = await useTestRedis();
  sut = await startWorkerForTest({ redisUrl: redis.url, prefix: redis.prefix });
});
afterEach(async () => {
  await sut.close();
  await redis.cleanup();
});

async function enrichmentOutcomes() {
  const jobs = await sut.enrich.getJobs(['completed', 'failed']);
  return jobs.map(
    (j) =>
      j.returnvalue as { outcome: string; providerCalled?: boolean; reason?: string } | undefined,
  );
}

describe('worker: events → enrichment → write-back (simulator, real Redis)', () => {
  it('enriches a new company: vertical as a list item id, summary and opener; the run is COMPLETED; its echo is skipped and nothing ping-pongs', async () => {
    const created = sut.sim.createAs(HUMAN, 'contact', {
      Name: 'Solgrid Energy AS',
      Description: 'Solar power plants and grid batteries for Nordic utilities.',
      Urls: [{ Value: 'https://solgrid.no', StrippedValue: 'solgrid.no', Description: '' }],
      Domains: ['solgrid.no'],
      Associate: { AssociateId: HUMAN, Name: 'RJ' },
    });
    const id = created.ContactId as number;
    await sut.settled();

    const contact = sut.sim.state.get('contact', id)!;
    const udfs = contact.UserDefinedFields as Record<string, string>;
    expect(udfs[UDF.vertical]).toBe('[I:6]');
    expect(udfs[`${UDF.vertical}:DisplayText`]).toBe('Energy');
    expect(udfs[UDF.summary]).toContain('Solgrid Energy AS');
    expect(udfs[UDF.opener]).not.toBe('');

    expect(sut.sim.counters.get('PATCH Contact/{id}')).toBe(1);
    const [run] = await sut.runs.runsForAccount('Cust12345', id);
    expect(run).toMatchObject({ status: 'COMPLETED', accountName: 'Solgrid Energy AS' });
    expect(run!.entries.map((e) => [e.kind, e.status, e.reason])).toEqual(
      expect.arrayContaining([
        ['event', 'COMPLETED', 'created'],
        ['enrichment', 'COMPLETED', undefined],
        ['event', 'SKIPPED', 'echo'],
      ]),
    );
    expect(run!.fieldsWritten.map((f) => f.key).sort()).toEqual(
      [UDF.vertical, UDF.summary, UDF.opener].sort(),
    );
  });

  it('coalesces 20 quick changes of one company into one provider call and at most one PATCH', async () => {
    for (let i = 0; i < 20; i++)
      sut.sim.editAs(HUMAN, 'contact', 3, { Name: `Fjordsky Software AB ${i}` });
    await sut.settled();
    const outcomes = await enrichmentOutcomes();
    expect(outcomes.filter((o) => o?.providerCalled)).toHaveLength(1);
    expect(sut.sim.counters.get('PATCH Contact/{id}')).toBeLessThanOrEqual(1);
  });

  it('still enriches a record that keeps changing once the max wait has passed', async () => {
    await sut.close();
    sut = await startWorkerForTest({
      redisUrl: redis.url,
      prefix: `${redis.prefix}-maxwait`,
      env: { ENRICH_DEBOUNCE_MS: '400', ENRICH_MAX_WAIT_MS: '1000' },
    });
    let lastEditAt = 0;
    for (let i = 0; i < 16; i++) {
      sut.sim.editAs(HUMAN, 'contact', 3, { Name: `Fjordsky Software AB v${i}` });
      lastEditAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await sut.settled();
    const enrichments = (await sut.runs.factsForAccount('Cust12345', 3)).filter(
      (f) => f.kind === 'enrichment',
    );
    const firstStart = Math.min(...enrichments.map((f) => Date.parse(f.at)));
    // Debounce alone would have waited for the edits to stop; the max wait started it while they went on.
    expect(firstStart).toBeLessThan(lastEditAt);
  });

  it('does not lose a change that arrives while the record is being enriched', async () => {
    sut.sim.faults.latencyMs = 300;
    sut.sim.editAs(HUMAN, 'contact', 5, { OrgNr: '40003123457' });
    await waitFor(async () => (await sut.enrich.getActiveCount()) === 1, {
      what: 'the enrichment to start',
    });
    // The running enrichment has read (or is reading) the old name; this change must not be lost.
    sut.sim.editAs(HUMAN, 'contact', 5, {
      Name: 'Baltic Solar Power SIA',
      Description: 'Solar power plants.',
    });
    await sut.settled();
    sut.sim.faults.latencyMs = 0;
    const udfs = sut.sim.state.get('contact', 5)!.UserDefinedFields as Record<string, string>;
    expect(udfs[`${UDF.vertical}:DisplayText`]).toBe('Energy');
    expect(udfs[UDF.summary]).toContain('Baltic Solar Power SIA');
  });

  it('skips an irrelevant change with a reason and makes no SuperOffice call', async () => {
    const before = sut.sim.counters.total('GET ');
    sut.sim.editAs(HUMAN, 'contact', 4, { Department: 'Radiology' });
    await sut.settled();
    expect(sut.sim.counters.total('GET ')).toBe(before);
    expect(sut.sim.counters.total('PATCH ')).toBe(0);
    const [run] = await sut.runs.runsForAccount('Cust12345', 4);
    expect(run).toMatchObject({
      status: 'SKIPPED',
      entries: [expect.objectContaining({ reason: 'irrelevant-change' })],
    });
  });

  it('does not ask the provider again when a relevant edit changes nothing it reads (fingerprint)', async () => {
    sut.sim.editAs(HUMAN, 'contact', 2, { OrgNr: '918273646' });
    await sut.settled();
    const first = (await enrichmentOutcomes()).filter((o) => o?.providerCalled).length;
    expect(first).toBe(1);
    sut.sim.editAs(HUMAN, 'contact', 2, { Name: 'NORDLYS  ROBOTICS AS' }); // same name once normalised
    await sut.settled();
    expect((await enrichmentOutcomes()).filter((o) => o?.providerCalled)).toHaveLength(first);
    expect(sut.sim.counters.get('PATCH Contact/{id}')).toBe(1);
  });

  it("writes a person's opener on a job-title change and leaves the company alone", async () => {
    sut.sim.editAs(HUMAN, 'person', 11, { Title: 'Chief Operating Officer' });
    await sut.settled();
    const person = sut.sim.state.get('person', 11)!;
    expect((person.UserDefinedFields as Record<string, string>)[UDF.personOpener]).toMatch(
      /^Hi Ingrid, as Chief Operating Officer at Nordlys Robotics AS/,
    );
    expect(sut.sim.counters.get('PATCH Contact/{id}')).toBe(0);
    expect(sut.sim.counters.get('PATCH Person/{id}')).toBe(1);
  });

  it('enriches every record exactly once through 30% SuperOffice 5xx and a 429 burst', async () => {
    sut.sim.faults.errorRate = 0.3;
    sut.sim.faults.rateLimitRemaining = 3;
    sut.sim.faults.retryAfterSeconds = 1;
    for (const id of [2, 3, 4]) sut.sim.editAs(HUMAN, 'contact', id, { OrgNr: `9${id}0000000` });
    await sut.settled();
    sut.sim.faults.errorRate = 0;
    for (const id of [2, 3, 4]) {
      const udfs = sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>;
      expect(udfs[UDF.summary]).not.toBe('');
      const entries = (await sut.runs.runsForAccount('Cust12345', id)).flatMap((r) => r.entries);
      // One successful write per record: one completed enrichment that wrote fields, one echo.
      expect(
        entries.filter(
          (e) => e.kind === 'enrichment' && e.status === 'COMPLETED' && e.fieldsWritten?.length,
        ),
      ).toHaveLength(1);
      expect(entries.filter((e) => e.reason === 'echo')).toHaveLength(1);
    }
  });

  it('re-reads and writes once when a human saves the record between the read and the write (409)', async () => {
    let writes = 0;
    sut.sim.state.on('change', (change) => {
      if (change.changedByAssociateId === sut.sim.state.apiUser.associateId) writes++;
    });
    sut.sim.faults.latencyMs = 400;
    sut.sim.editAs(HUMAN, 'contact', 4, { OrgNr: '987650000' });
    await waitFor(async () => (await sut.enrich.getActiveCount()) === 1, {
      what: 'the enrichment to start',
    });
    // After the worker's read (one 400 ms call) and well before its write (the fourth call), a human
    // saves a field the enrichment does not read.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sut.sim.editAs(HUMAN, 'contact', 4, { Department: 'Cardiology' });
    await sut.settled();
    sut.sim.faults.latencyMs = 0;
    const contact = sut.sim.state.get('contact', 4)!;
    expect(contact.Department).toBe('Cardiology');
    expect((contact.UserDefinedFields as Record<string, string>)[UDF.summary]).toContain(
      'Helse Vest Klinikk',
    );
    expect(writes).toBe(1);
    expect(sut.sim.counters.get('PATCH Contact/{id}')).toBe(2); // the refused one and the one that applied
    // Handled inside the same attempt: one job run, one provider call, no retry of the whole job.
    const jobs = await sut.enrich.getJobs(['completed', 'failed']);
    expect(
      jobs.map((j) => [
        j.attemptsMade,
        (j.returnvalue as { providerCalled?: boolean } | undefined)?.providerCalled,
      ]),
    ).toEqual([[1, true]]);
  });

  it('fails an enrichment whose provider output does not fit the schema at once, and writes nothing', async () => {
    const provider = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ vertical: 'Energy' })); // no summary, no openers
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    try {
      await sut.close();
      sut = await startWorkerForTest({
        redisUrl: redis.url,
        prefix: `${redis.prefix}-invalid`,
        env: {
          ENRICHMENT_PROVIDER: 'company-explorer',
          COMPANY_EXPLORER_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}`,
          COMPANY_EXPLORER_API_KEY: 'ce-key',
        },
      });
      sut.sim.editAs(HUMAN, 'contact', 2, { OrgNr: '918270000' });
      await sut.settled();
      const [failed] = await sut.enrich.getJobs(['failed']);
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toMatch(
        /\[enrichment:company-explorer\] result does not fit the schema at summary/,
      );
      expect(sut.sim.counters.total('PATCH ')).toBe(0);
      const [run] = await sut.runs.runsForAccount('Cust12345', 2);
      expect(run).toMatchObject({ status: 'FAILED' });
      expect(run!.entries.find((e) => e.kind === 'enrichment')).toMatchObject({
        reason: 'permanent',
      });
      // A failure for good is counted as such (metrics and the dashboard's chart), not as a retry.
      expect(
        await sut.worker.metrics.registry.getSingleMetricAsString('so_worker_enrichments_total'),
      ).toMatch(/so_worker_enrichments_total\{tenant="Cust12345",outcome="failed"\} 1/);
      const inspector = new Redis(redis.url);
      try {
        const series = await new ActivityCounters({
          redis: inspector,
          prefix: `${redis.prefix}-invalid`,
        }).series('Cust12345', Date.now() - 10 * 60_000);
        expect(series.reduce((sum, bucket) => sum + bucket.counts.failures, 0)).toBe(1);
      } finally {
        inspector.disconnect();
      }
    } finally {
      await new Promise<void>((resolve) => {
        provider.close(() => resolve());
        provider.closeAllConnections();
      });
    }
  });

  it('completes an enrichment of a deleted record as skipped, without retrying', async () => {
    sut.sim.editAs(HUMAN, 'contact', 5, { Name: 'Baltic Freight Lines SIA' });
    sut.sim.deleteAs(HUMAN, 'contact', 5);
    await sut.settled();
    const jobs = await sut.enrich.getJobs(['completed', 'failed']);
    expect(jobs.map((j) => [j.returnvalue?.outcome, j.attemptsMade <= 1])).toEqual([
      ['skipped', true],
    ]);
    expect((jobs[0]!.returnvalue as { reason: string }).reason).toBe('record-deleted');
  });
});
