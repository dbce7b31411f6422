import { waitFor } from '@so-connector/testing';
import { assertInvariant } from './invariant';
import { startFaultRunOn, type FaultRun } from './harness';
import { ReferenceTenant } from './reference';
import { useTopologyRedis, TOPOLOGIES } from '../topologies';

// The version in e2e/worker-crash.e2e.test.ts kills one worker on one record; here two workers
// race on the same records under steady traffic and are killed mid-enrichment twice, on one
// redis-server, a 6-node Redis Cluster and a Sentinel setup (issue 13).
const reference = new ReferenceTenant();
let run: FaultRun | undefined;
afterEach(async () => {
  await run?.system.stop();
  run = undefined;
});
afterAll(() => reference.stop());

describe.each(TOPOLOGIES)('worker faults, %s Redis', (topology) => {
  const topologyRedis = useTopologyRedis(topology);

  it('two workers racing on the same records, each SIGKILLed in the middle of an enrichment', async () => {
    run = await startFaultRunOn(topologyRedis(), {
      workers: 2,
      workerEnv: {
        // No debounce: the two workers meet the same records as often as possible.
        ENRICH_DEBOUNCE_MS: '0',
        ENRICH_MAX_WAIT_MS: '1000',
        // A killed worker's job is taken over after ~2 s instead of 30 s.
        WORKER_LOCK_DURATION_MS: '2000',
      },
    });
    const { system, ledger, workload } = run;
    // Every SuperOffice call takes a while, so a kill catches enrichments in the middle.
    system.sim.faults.latencyMs = 300;
    workload.createCompanies();
    const traffic = workload.steady(100);
    try {
      for (let round = 0; round < 2; round++) {
        await waitFor(async () => (await system.enrich.getActiveCount()) > 0, {
          timeoutMs: 20_000,
          what: 'an active enrichment',
        });
        const victim = system.workers.find((w) => w.child.exitCode === null && !w.child.killed);
        await victim!.kill();
        await system.startWorker(); // two racing again
        const now = workload.count();
        await waitFor(() => workload.count() >= now + 12, { timeoutMs: 20_000, what: 'traffic' });
      }
    } finally {
      traffic.stop();
    }
    const report = await assertInvariant(system, ledger, reference, {
      reconciliation: false,
      timeoutMs: 30_000,
    });
    console.log(`worker SIGKILL + race, ${topology} Redis: ${report.summary}`);
    expect(system.workers.filter((w) => w.child.signalCode === 'SIGKILL')).toHaveLength(2);
  }, 120_000);
});
