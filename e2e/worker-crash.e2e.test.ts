import { waitFor } from '@so-connector/testing';
import { startSystem, UDF, type RunningSystem } from './system';

let system: RunningSystem;
afterEach(async () => {
  await system.stop();
});

describe('worker SIGKILLed in the middle of an enrichment', () => {
  it('is enriched after a restart, and written exactly once', async () => {
    system = await startSystem({
      workerEnv: {
        ENRICH_DEBOUNCE_MS: '0',
        ENRICH_MAX_WAIT_MS: '1000',
        WORKER_LOCK_DURATION_MS: '2000',
      },
    });
    const [first] = system.workers;

    // Every SuperOffice call now takes a while, so the enrichment is caught in the middle.
    system.sim.faults.latencyMs = 1500;
    system.sim.editAs(5, 'contact', 2, { OrgNr: '918273600' });
    await waitFor(async () => (await system.enrich.getActiveCount()) === 1, {
      timeoutMs: 15_000,
      what: 'an active enrichment',
    });
    await first!.kill();

    system.sim.faults.latencyMs = 0;
    await system.startWorker();
    await waitFor(
      () =>
        (system.sim.state.get('contact', 2)!.UserDefinedFields as Record<string, string>)[
          UDF.summary
        ] !== '',
      {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: 'the enrichment after the restart',
      },
    );
    await system.settled();
    // A PATCH in flight when the worker died may still land late; the JSON Patch `test` on
    // UpdatedDate lets only one of the two writes apply, whichever order they arrive in.
    expect(system.writes()).toBe(1);
  });
});
