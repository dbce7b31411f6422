import { waitFor } from '@so-connector/testing';
import { assertInvariant } from './invariant';
import { startFaultRunOn, webhookState, type FaultRun } from './harness';
import { ReferenceTenant } from './reference';
import { useTopologyRedis, TOPOLOGIES } from '../topologies';

const reference = new ReferenceTenant();
let run: FaultRun | undefined;
afterEach(async () => {
  await run?.system.stop();
  run = undefined;
});
afterAll(() => reference.stop());

describe.each(TOPOLOGIES)('webhook parked by SuperOffice, %s Redis', (topology) => {
  const topologyRedis = useTopologyRedis(topology);

  it('TooManyErrors (receiver down: 3 changes × 3 tries): the watchdog leaves it parked while the receiver is down, re-activates it once it answers, and its sweep catches up', async () => {
    // No scheduled sweep: only the one the watchdog queues after a re-activation can catch up.
    run = await startFaultRunOn(topologyRedis(), {
      workerEnv: { WATCHDOG_INTERVAL_MS: '1000', RECONCILE_INTERVAL_MS: '0' },
    });
    const { system, ledger, workload } = run;
    workload.createCompanies();
    workload.changes(7);
    await system.settled();
    const worker = system.workers[0]!;
    // (The watchdog's first check runs at start-up, so a healthy check is on record by now; the
    // sweep after a re-activation starts from it.)
    await system.killReceiver();
    workload.changes(3); // 3 changes × 3 tries = 9 failures in a row
    // Re-activated now, SuperOffice would park it again within seconds: the watchdog has
    // SuperOffice test the target first and leaves the webhook parked while nothing answers.
    await waitFor(() => worker.output().includes('its target does not answer; left parked'), {
      timeoutMs: 15_000,
      what: 'the watchdog to find the webhook parked and its target down',
    });
    workload.changes(4); // made while the receiver is still down: dropped or never sent
    await system.sim.deliveriesSettled();
    expect(webhookState(system.sim)).toBe('TooManyErrors');
    expect(worker.output()).not.toContain('connector webhook is not Active; re-activating');
    await system.startReceiver();
    await waitFor(() => webhookState(system.sim) === 'Active', {
      timeoutMs: 15_000,
      what: 'the webhook to be Active again',
    });
    workload.changes(3);

    const report = await assertInvariant(system, ledger, reference, {
      reconciliation: true,
      timeoutMs: 30_000,
    }).catch((error: unknown) => {
      // What the maintenance stage did is what this scenario is about: say it in the failure.
      const lines = worker
        .output()
        .split('\n')
        .filter((l) => /reconciliation|re-activating|"level":"(warn|error)"/.test(l));
      throw new Error(
        `${String(error)}\nworker (maintenance, warnings):\n${lines.slice(-30).join('\n')}`,
      );
    });
    console.log(`TooManyErrors, ${topology} Redis: ${report.summary}`);
    expect(report.dropped).toBeGreaterThanOrEqual(3);
    expect(worker.output()).toContain('reconciliation queued for the gap');
    expect(worker.output()).toMatch(/reconciliation sweep done[^\n]*"trigger":"watchdog"/);
  }, 120_000);
});
