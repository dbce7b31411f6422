import { scheduleEnrichment } from '@so-connector/queue';
import { waitFor } from '@so-connector/testing';
import { UDF, useWorkerForEachTest } from './worker-harness';

const HUMAN = 5;
const VERTICAL_LIST = 'udlist1'; // the simulated tenant's list behind SuperOffice:83
const t = useWorkerForEachTest({
  // Asked again 300 ms after a refusal (1 min in production), so the test can see it return.
  worker: { udfTargets: { listRetryMinMs: 300, listRetryMaxMs: 1200 } },
});

const udfsOf = (id: number) =>
  t.sut.sim.state.get('contact', id)!.UserDefinedFields as Record<string, string>;

describe('a Vertical list the API cannot read (issue 11 §5)', () => {
  it.each([404, 403] as const)(
    'list answers %s: summary and opener are written, the Vertical is left alone with a reason; once the list reads again the Vertical is written for the same inputs',
    async (status) => {
      t.sut.sim.setListReadable(VERTICAL_LIST, status);
      const created = t.sut.sim.createAs(HUMAN, 'contact', {
        Name: 'Solgrid Energy AS',
        Description: 'Solar power plants and grid batteries for Nordic utilities.',
        Domains: ['solgrid.no'],
      });
      const id = created.ContactId as number;
      const verticalBefore = udfsOf(id)[UDF.vertical];
      await t.sut.settled();

      expect(udfsOf(id)[UDF.summary]).toContain('Solgrid Energy AS');
      expect(udfsOf(id)[UDF.opener]).not.toBe('');
      expect(udfsOf(id)[UDF.vertical]).toBe(verticalBefore);
      const [run] = await t.sut.runs.runsForAccount('Cust12345', id);
      expect(run).toMatchObject({ status: 'COMPLETED' });
      const enrichment = run!.entries.find(
        (e) => e.kind === 'enrichment' && e.status === 'COMPLETED',
      );
      expect(enrichment?.detail).toContain(
        `vertical not written: its list ${VERTICAL_LIST} is not readable (${status})`,
      );
      expect(
        t.sut
          .logs()
          .filter((l) => l.message === 'vertical list not readable; the Vertical is not written'),
      ).toEqual([expect.objectContaining({ level: 'warn', list: VERTICAL_LIST, status })]);
      expect(await t.sut.providerCalls()).toBe(1);

      // Readable again: an enrichment of the unchanged record (as the sweep or the CLI asks for
      // one) must not take the vertical-less write for the full result.
      t.sut.sim.setListReadable(VERTICAL_LIST, true);
      await waitFor(
        async () => {
          await scheduleEnrichment(
            t.sut.enrich,
            { tenant: 'Cust12345', entity: 'contact', recordId: id, cause: 'test:again' },
            { debounceMs: 0, maxWaitMs: 0, attempts: 3 },
          );
          await t.sut.settled();
          return udfsOf(id)[UDF.vertical] === '[I:6]';
        },
        { timeoutMs: 15_000, intervalMs: 100, what: 'the Vertical written once the list reads' },
      );
      expect(udfsOf(id)[`${UDF.vertical}:DisplayText`]).toBe('Energy');
      expect(await t.sut.providerCalls()).toBe(2);
      const failed = await t.sut.enrich.getJobs(['failed']);
      expect(failed).toEqual([]);
    },
  );
});
