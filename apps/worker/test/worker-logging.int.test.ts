import { waitFor } from '@so-connector/testing';
import { UDF, useWorkerForEachTest } from './worker-harness';

const HUMAN = 5;
const t = useWorkerForEachTest({
  patchFaults: true,
  logLevel: 'info',
  env: { ENRICH_ATTEMPTS: '3' },
});

const lines = (message: string) => t.sut.logs().filter((l) => l.message === message);
/** EventIds of the events that scheduled an enrichment of this contact (not its echoes). */
async function scheduledEventIds(id: number): Promise<string[]> {
  const jobs = await t.sut.events.getJobs(['completed']);
  return jobs
    .filter(
      (j) =>
        j.data.event.PrimaryKey === id &&
        (j.returnvalue as { outcome?: string } | undefined)?.outcome === 'scheduled',
    )
    .map((j) => j.data.event.EventId)
    .sort();
}

describe('worker log at LOG_LEVEL=info (issue 10)', () => {
  it('writes one `record written` line per write, with the fields, every coalesced EventId and the provider use', async () => {
    for (let i = 0; i < 5; i++)
      t.sut.sim.editAs(HUMAN, 'contact', 3, { Name: `Fjordsky Logs AB ${i}` });
    await t.sut.settled();

    const written = lines('record written');
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      level: 'info',
      tenant: 'Cust12345',
      entity: 'contact',
      recordId: 3,
      provider: 'called',
    });
    expect(written[0]!.fields).toEqual(expect.arrayContaining([UDF.summary, UDF.opener]));
    const scheduled = await scheduledEventIds(3);
    expect(scheduled.length).toBeGreaterThan(1);
    expect([...(written[0]!.eventIds as string[])].sort()).toEqual(scheduled);
    // The echo of the write is skipped, and a skip is not logged at info.
    expect(
      t.sut.logs().filter((l) => l.level === 'info' && /skip/i.test(String(l.message))),
    ).toEqual([]);
  });

  it('says `reused` when a retry writes the answer the provider gave an earlier attempt', async () => {
    t.sut.proxy!.failNextPatches(2);
    t.sut.sim.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Logs AS' });
    await t.sut.settled();
    expect(lines('record written')).toEqual([
      expect.objectContaining({ recordId: 2, provider: 'reused' }),
    ]);
    expect(lines('enrichment failed')).toEqual([]);
  });

  it('writes one `enrichment failed` error line when the attempts are used up', async () => {
    t.sut.proxy!.failNextPatches(100);
    t.sut.sim.editAs(HUMAN, 'contact', 2, { Name: 'Nordlys Failing AS' });
    await waitFor(() => lines('enrichment failed').length > 0, {
      timeoutMs: 20_000,
      what: 'the final failure',
    });
    await t.sut.settled();
    expect(lines('enrichment failed')).toEqual([
      expect.objectContaining({
        level: 'error',
        tenant: 'Cust12345',
        entity: 'contact',
        recordId: 2,
        reason: expect.stringContaining('500'),
      }),
    ]);
    expect(lines('record written')).toEqual([]);
  });
});
