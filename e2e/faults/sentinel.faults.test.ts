import { Redis } from 'ioredis';
import {
  recordFailoverTiming,
  startRedisSentinel,
  waitFor,
  type RedisProcess,
  type TestRedisSentinel,
} from '@so-connector/testing';
import { assertInvariant } from './invariant';
import { spoolDrained, spooledEvents, startFaultRun, type FaultRun } from './harness';
import { ReferenceTenant } from './reference';

// Issue 13: the whole product (receiver, two workers) on a Sentinel setup (master, two replicas,
// three Sentinels, all redis-server processes on loopback ports), the master SIGKILLed under
// steady webhook traffic. The receiver accepts an event only once a replica holds it
// (REDIS_REPLICA_ACKS defaults to 1 with Sentinel) and spools while no master answers.
const BURST = 300;
const FAIL_AFTER_MS = 150;
const HUNG_MS = 20_000;
const reference = new ReferenceTenant();
let sentinel: TestRedisSentinel | undefined;
let run: FaultRun | undefined;
afterEach(async () => {
  await run?.system.stop();
  await sentinel?.dispose();
  run = undefined;
  sentinel = undefined;
});
afterAll(() => reference.stop());

/** The data node the Sentinels name as master once it is not `old` (the failover is complete). */
async function failedOverFrom(setup: TestRedisSentinel, old: RedisProcess): Promise<RedisProcess> {
  return waitFor(
    async () => {
      const master = await setup.currentMaster().catch(() => undefined);
      return master && master.port !== old.port ? master : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'the Sentinels to promote a replica' },
  );
}

/** How the master fails: killed for good, or hung (SIGSTOP) and thawed 20 s later. */
const FAULTS = [
  {
    name: 'master SIGKILLed',
    async fail(master: RedisProcess): Promise<() => void> {
      await master.kill();
      return () => undefined;
    },
  },
  {
    name: 'master hung (SIGSTOP) for 20 s, then thawed',
    fail(master: RedisProcess): Promise<() => void> {
      master.pause();
      const thaw = setTimeout(() => master.resume(), HUNG_MS);
      return Promise.resolve(() => {
        clearTimeout(thaw);
        master.resume();
      });
    },
  },
] as const;

describe('Redis Sentinel failover under traffic', () => {
  it.each(FAULTS)(
    '$name during steady traffic: a replica takes over, no accepted event lost, no record written twice for a change, workers resume without a restart',
    async (fault) => {
      sentinel = await startRedisSentinel({ replicas: 2, downAfterMs: 1000 });
      const setup = sentinel;
      const sentinels = setup.sentinelAddresses.split(',').map((a) => {
        const [host, port] = a.split(':');
        return { host: host!, port: Number(port) };
      });
      const first = await setup.currentMaster();
      run = await startFaultRun({
        workers: 2,
        // A job whose completion the old master had not yet passed to a replica is active again
        // on the new one, with no worker on it: BullMQ's stalled check gives it back after the
        // lock expires, up to twice WORKER_LOCK_DURATION_MS (30 s by default) after the fault. CI
        // once timed out in the invariant's 30 s wait for idle queues after a SIGKILL, most likely
        // on such a job; 5 s locks keep that recovery inside it (docs/operations.md, runbook).
        workerEnv: { WORKER_LOCK_DURATION_MS: '5000' },
        redisUrl: first.url,
        redisEnv: {
          REDIS_SENTINELS: setup.sentinelAddresses,
          REDIS_SENTINEL_NAME: setup.masterName,
        },
        connect: () => new Redis({ sentinels, name: setup.masterName, maxRetriesPerRequest: null }),
      });
      const { system, ledger, workload } = run;
      workload.createCompanies();
      const traffic = workload.steady(100);
      let failedAt = 0;
      let promotedAt = 0;
      let undo: () => void = () => undefined;
      try {
        await waitFor(() => workload.count() >= 15, { timeoutMs: 20_000, what: 'traffic' });
        // A burst, so that the fault lands while events are being written and enrichments run.
        // (With REDIS_REPLICA_ACKS=0 the SIGKILL case lost nothing in 6 runs: on loopback a
        // replica trails by well under a millisecond. apps/receiver/test/sentinel-failover.int.test.ts,
        // posting as fast as three senders can, is the one that shows the loss without replica acks.)
        workload.changes(BURST);
        await new Promise((resolve) => setTimeout(resolve, FAIL_AFTER_MS));
        failedAt = Date.now();
        undo = await fault.fail(first);
        await failedOverFrom(setup, first);
        promotedAt = Date.now();
        // Traffic goes on through the failover and after it (past the thaw of a hung master).
        await waitFor(() => Date.now() - failedAt >= HUNG_MS + 3000, {
          timeoutMs: HUNG_MS + 10_000,
          intervalMs: 200,
          what: 'traffic after the fault',
        });
      } finally {
        traffic.stop();
        undo();
      }
      // The receiver spooled while no master answered or no replica acknowledged (the fault was
      // met), and drains once a master is back.
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
      console.log(
        `Sentinel, ${fault.name}: ${report.summary}; promoted ${promotedAt - failedAt} ms after the fault, ` +
          `first enrichment done ${resumedMs} ms after the promotion`,
      );
      recordFailoverTiming({
        topology: 'sentinel',
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
