import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import {
  recordFailoverTiming,
  startRedisCluster,
  waitFor,
  type RedisProcess,
  type TestRedisCluster,
} from '@so-connector/testing';
import { failedOverFrom, slotOwner } from './cluster-slots';
import { assertInvariant } from './invariant';
import { spoolDrained, spooledEvents, startFaultRun, type FaultRun } from './harness';
import { ReferenceTenant } from './reference';

// Issue 13: the whole product (receiver, two workers) on a 6-node Redis Cluster (3 masters, 3
// replicas, all redis-server processes on loopback ports), QUEUE_PREFIX `{so-f-…}`: every
// connector key is in that tag's slot, so on one master. That master is SIGKILLed (its replica
// takes over) or frozen for 20 s (a hung node) under steady webhook traffic. The receiver accepts
// an event only once the master's replica holds it (REDIS_REPLICA_ACKS=1, set here: opt-in
// on a Cluster) and spools while the slot has no master.
const BURST = 300;
const FAIL_AFTER_MS = 150;
const HUNG_MS = 20_000;
/** `cluster-node-timeout`: a master silent this long is failed and its replica promoted. */
const NODE_TIMEOUT_MS = 2000;
const reference = new ReferenceTenant();
let cluster: TestRedisCluster | undefined;
let run: FaultRun | undefined;
afterEach(async () => {
  await run?.system.stop();
  await cluster?.dispose();
  run = undefined;
  cluster = undefined;
});
afterAll(() => reference.stop());

/** How the master fails: killed for good, or hung (SIGSTOP) and thawed 20 s later. */
const FAULTS = [
  {
    name: 'master SIGKILLed',
    async fail(master: RedisProcess): Promise<() => Promise<void>> {
      await master.kill();
      // Restarted on its data after the traffic, it rejoins as the promoted master's replica:
      // until then no replica can acknowledge (REDIS_REPLICA_ACKS=1) and every event is spooled.
      return () => master.start();
    },
  },
  {
    name: 'master hung (SIGSTOP) for 20 s, then thawed',
    fail(master: RedisProcess): Promise<() => Promise<void>> {
      master.pause();
      const thaw = setTimeout(() => master.resume(), HUNG_MS);
      return Promise.resolve(() => {
        clearTimeout(thaw);
        master.resume();
        return Promise.resolve();
      });
    },
  },
] as const;

describe('Redis Cluster failover under traffic', () => {
  it.each(FAULTS)(
    "$name (the prefix slot's master) during steady traffic: its replica takes over, no accepted event lost, no record written twice for a change, workers resume without a restart",
    async (fault) => {
      cluster = await startRedisCluster({
        masters: 3,
        replicasPerMaster: 1,
        nodeTimeoutMs: NODE_TIMEOUT_MS,
      });
      const setup = cluster;
      const prefix = `{so-f-${randomBytes(4).toString('hex')}}`;
      const first = await slotOwner(setup, prefix);
      if (!first) throw new Error(`no master serves the slot of ${prefix}`);
      run = await startFaultRun({
        workers: 2,
        // As in sentinel.faults.test.ts: a job whose completion the failed master had not yet
        // passed to its replica is active again on the promoted one with no worker on it, until
        // BullMQ's stalled check gives it back (up to twice WORKER_LOCK_DURATION_MS): 5 s locks
        // keep that inside the invariant's wait for idle queues.
        workerEnv: { WORKER_LOCK_DURATION_MS: '5000' },
        redisUrl: first.url,
        queuePrefix: prefix,
        redisEnv: { REDIS_CLUSTER_NODES: setup.seeds, REDIS_REPLICA_ACKS: '1' },
        connect: () =>
          new Cluster(setup.clientNodes, { redisOptions: { maxRetriesPerRequest: null } }),
      });
      const { system, ledger, workload } = run;
      workload.createCompanies();
      const traffic = workload.steady(100);
      let failedAt = 0;
      let promotedAt = 0;
      let undo: () => Promise<void> = () => Promise.resolve();
      try {
        await waitFor(() => workload.count() >= 15, { timeoutMs: 20_000, what: 'traffic' });
        // A burst, so that the fault lands while events are being written and enrichments run.
        workload.changes(BURST);
        await new Promise((resolve) => setTimeout(resolve, FAIL_AFTER_MS));
        failedAt = Date.now();
        undo = await fault.fail(first);
        await failedOverFrom(setup, prefix, first);
        promotedAt = Date.now();
        // Traffic goes on through the failover and after it (past the thaw of a hung master).
        await waitFor(() => Date.now() - failedAt >= HUNG_MS + 3000, {
          timeoutMs: HUNG_MS + 10_000,
          intervalMs: 200,
          what: 'traffic after the fault',
        });
      } finally {
        traffic.stop();
        await undo();
      }
      // The receiver spooled while writes failed or no replica acknowledged (the fault was met),
      // and drains once the failed node is back as the promoted master's replica.
      const spooled = spooledEvents(system);
      expect(spooled).toBeGreaterThan(0);
      await spoolDrained(system);
      const report = await assertInvariant(system, ledger, reference, {
        reconciliation: false,
        timeoutMs: 30_000,
      });

      // Processing resumed: the first enrichment a worker started after the promotion, and when
      // it finished. The workers were not restarted (still the two processes started above).
      const enriched = await system.enrich.getCompleted(0, -1);
      const after = enriched
        .filter((j) => (j.processedOn ?? 0) >= promotedAt && j.finishedOn !== undefined)
        .map((j) => j.finishedOn!);
      expect(after.length).toBeGreaterThan(0);
      const resumedMs = Math.min(...after) - promotedAt;
      // The events stage's own resumption, to tell which worker lagged: in the slow runs seen
      // (16 s), events went on 3.5 s after the promotion while so-enrich waited for the thaw (its
      // blocking connection had reconnected during the hang: redis-options.ts, enableReadyCheck).
      const events = await system.events.getCompleted(0, -1);
      const eventsResumedMs =
        Math.min(
          ...events
            .filter((j) => (j.processedOn ?? 0) >= promotedAt && j.finishedOn !== undefined)
            .map((j) => j.finishedOn!),
        ) - promotedAt;
      console.log(
        `Cluster, ${fault.name}: ${report.summary}; ${spooled} events spooled (all drained); ` +
          `replica promoted ${promotedAt - failedAt} ms after the fault, ` +
          `first event done ${eventsResumedMs} ms and first enrichment done ${resumedMs} ms after the promotion`,
      );
      recordFailoverTiming({
        topology: 'cluster',
        fault: fault.name,
        promotedMs: promotedAt - failedAt,
        resumedMs,
        accepted: report.accepted,
        spooled,
      });
      for (const worker of system.workers) {
        expect(worker.child.exitCode).toBeNull();
        expect(worker.child.signalCode).toBeNull();
      }
      // Issue 13's target: processing resumes within 15 s of the completed failover.
      expect(resumedMs).toBeLessThanOrEqual(15_000);
    },
    180_000,
  );
});
