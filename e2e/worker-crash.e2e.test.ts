import { waitFor } from '@so-connector/testing';
import type { ProductProcess } from './processes';
import { startSystem, UDF, type RunningSystem } from './system';
import {
  expectOnTopology,
  onTopology,
  useTopologyRedis,
  type Topology,
  type TopologyRedis,
} from './topologies';

// A worker SIGKILLed mid-job, on one redis-server, a 6-node Redis Cluster and a Sentinel setup
// (issue 13): BullMQ's stalled-job recovery and the provider answer kept in Redis must hold on each.
let system: RunningSystem;
afterEach(async () => {
  await system.stop();
});

/** One worker whose jobs come back 2 s after it dies (stalled-job recovery), no debounce. */
const crashable = (redis: TopologyRedis | undefined) =>
  startSystem({
    ...onTopology(redis),
    workerEnv: {
      ENRICH_DEBOUNCE_MS: '0',
      ENRICH_MAX_WAIT_MS: '1000',
      WORKER_LOCK_DURATION_MS: '2000',
    },
  });

/** Starts a worker again and waits until contact 2's summary is written. */
async function restartAndAwaitSummary(): Promise<ProductProcess> {
  const worker = await system.startWorker();
  await waitFor(
    () =>
      (system.sim.state.get('contact', 2)!.UserDefinedFields as Record<string, string>)[
        UDF.summary
      ] !== '',
    { timeoutMs: 30_000, intervalMs: 100, what: 'the enrichment after the restart' },
  );
  return worker;
}

describe.each<Topology>(['single', 'cluster', 'sentinel'])('%s Redis', (topology) => {
  const topologyRedis = useTopologyRedis(topology);
  const startCrashableSystem = () => crashable(topologyRedis());

  describe('worker SIGKILLed in the middle of an enrichment', () => {
    it('is enriched after a restart, and written exactly once', async () => {
      system = await startCrashableSystem();
      await expectOnTopology(topologyRedis());
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
      await restartAndAwaitSummary();
      await system.settled();
      // A PATCH in flight when the worker died may still land late; the JSON Patch `test` on
      // UpdatedDate lets only one of the two writes apply, whichever order they arrive in.
      expect(system.writes()).toBe(1);
    });
  });

  describe('a worker SIGKILLed after the provider answered (issue 11 §1)', () => {
    it('leaves the answer in Redis: the next process writes it without asking the provider', async () => {
      system = await startCrashableSystem();
      const [first] = system.workers;
      // Every SuperOffice call now takes a while: the PATCH after the provider's answer is slow.
      system.sim.faults.latencyMs = 1500;
      system.sim.editAs(5, 'contact', 2, { OrgNr: '918273601' });
      await waitFor(
        async () => (await system.keys(`${system.redis.prefix}:provider-result:*`)).length > 0,
        { timeoutMs: 20_000, intervalMs: 20, what: 'the provider answer in Redis' },
      );
      await waitFor(() => system.sim.counters.get('PATCH Contact/{id}') === 1, {
        timeoutMs: 10_000,
        intervalMs: 20,
        what: 'the PATCH on its way',
      });
      // The PATCH in flight fails (the outage is checked after the latency), and the worker dies.
      // A probe sent now is answered after that PATCH (same latency, later start): once it has its
      // 503, the PATCH had its own and the outage can end.
      system.sim.faults.outage = true;
      await first!.kill();
      const probe = await fetch(`${system.sim.apiBaseUrl()}/v1/User/currentPrincipal`, {
        headers: { authorization: `Bearer ${await system.sim.issueAccessToken()}` },
      });
      expect(probe.status).toBe(503);
      expect(system.writes()).toBe(0);

      system.sim.faults.outage = false;
      system.sim.faults.latencyMs = 0;
      const second = await restartAndAwaitSummary();
      await system.settled();
      // LOG_LEVEL=info: the write's one line says the provider's answer was reused.
      expect(second.output()).toMatch(/"message":"record written".*"provider":"reused"/);
      expect(system.writes()).toBe(1);
      const done = await system.enrich.getJobs(['completed']);
      expect(
        done.map((j) => j.returnvalue as { outcome: string; providerCalled: boolean }),
      ).toEqual([expect.objectContaining({ outcome: 'written', providerCalled: false })]);
    });
  });
});
