import { startRedisServer, waitFor, type RedisServer } from '@so-connector/testing';
import { assertInvariant } from './invariant';
import {
  FAULT_OUTAGE_MS,
  startFaultRun,
  webhookState,
  WITH_RECONCILIATION,
  type FaultRun,
} from './harness';
import { ReferenceTenant } from './reference';
import { spooledEvents } from '../system';

// Redis and the receiver failing under steady webhook traffic. Each scenario has a redis-server of
// its own (AOF on, as DESIGN.md requires) that it kills, restarts or freezes.
const reference = new ReferenceTenant();
let redis: RedisServer | undefined;
let run: FaultRun | undefined;
afterEach(async () => {
  redis?.resume();
  await run?.system.stop();
  await redis?.dispose();
  run = undefined;
  redis = undefined;
});
afterAll(() => reference.stop());

/** Events waiting in the receiver's disk spool. */
const spooled = spooledEvents;

/** `so-events` jobs that went through the disk spool. */
async function jobsFromSpool(run: FaultRun): Promise<number> {
  const done = await run.system.events.getCompleted();
  return done.filter((j) => (j.data as { spooled?: boolean }).spooled === true).length;
}

describe('Redis and receiver faults', () => {
  it('Redis killed (SIGKILL) and restarted with AOF twice during steady traffic: no accepted event lost', async () => {
    redis = await startRedisServer({ appendOnly: 'everysec' });
    run = await startFaultRun({
      redisUrl: redis.url,
      // A kill that lands after Redis ran a worker's moveToFinished (which also takes the next
      // job) but before the reply left leaves that next job active, its lock in the AOF, and no
      // worker on it: BullMQ's stalled check gives it back up to twice WORKER_LOCK_DURATION_MS
      // later. With the default 30 s locks CI once found such a job (active, attemptsMade 0)
      // still active when the invariant's wait ran out; 5 s locks keep the recovery inside it.
      workerEnv: { WORKER_LOCK_DURATION_MS: '5000' },
    });
    const { system, ledger, workload } = run;
    workload.createCompanies();
    const traffic = workload.steady(100);
    try {
      for (const until of [12, 26]) {
        await waitFor(() => workload.count() >= until, { timeoutMs: 20_000, what: 'traffic' });
        await redis.kill();
        await redis.start(); // same port and directory: the AOF is replayed
      }
      await waitFor(() => workload.count() >= 40, { timeoutMs: 20_000, what: 'traffic' });
    } finally {
      traffic.stop();
    }
    const report = await assertInvariant(system, ledger, reference, { reconciliation: false });
    console.log(`Redis SIGKILL: ${report.summary}`);
  }, 120_000);

  it(
    `Redis down for ${FAULT_OUTAGE_MS} ms: the receiver answers 200 from its disk spool and drains it after`,
    async () => {
      redis = await startRedisServer({ appendOnly: 'everysec' });
      run = await startFaultRun({ redisUrl: redis.url });
      const { system, ledger, workload } = run;
      workload.createCompanies();
      workload.changes(7);
      await system.settled();
      await redis.kill();
      const traffic = workload.steady(Math.max(200, FAULT_OUTAGE_MS / 40));
      await waitFor(() => spooled(system.spoolDir) >= 3, {
        timeoutMs: FAULT_OUTAGE_MS,
        what: 'events in the disk spool',
      });
      // The outage's length is the fault itself, not a wait for a result.
      await new Promise((resolve) => setTimeout(resolve, FAULT_OUTAGE_MS));
      traffic.stop();
      await redis.start();
      await waitFor(() => spooled(system.spoolDir) === 0, {
        timeoutMs: 30_000,
        what: 'the spool to drain',
      });
      const report = await assertInvariant(system, ledger, reference, { reconciliation: false });
      console.log(`Redis outage: ${report.summary}`);
      // Every delivery during the outage was answered 200 from the spool, none was dropped.
      expect(report.dropped).toBe(0);
      expect(await jobsFromSpool(run)).toBeGreaterThanOrEqual(3);
    },
    FAULT_OUTAGE_MS + 120_000,
  );

  it('receiver SIGKILLed mid-traffic with events in its spool: the restarted receiver drains the same spool', async () => {
    redis = await startRedisServer({ appendOnly: 'everysec' });
    // SuperOffice's real retry waits (1 s, 4 s) span the receiver's restart. The deliveries in
    // flight at the kill all fail at once, which is usually 9 failures in a row: SuperOffice parks
    // the webhook (TooManyErrors), as it would in production. The watchdog re-activates it and the
    // reconciliation sweep catches up the changes SuperOffice dropped or never sent meanwhile.
    run = await startFaultRun({
      redisUrl: redis.url,
      simulator: { retryScale: 1 },
      workerEnv: { ...WITH_RECONCILIATION, WATCHDOG_INTERVAL_MS: '1000' },
    });
    const { system, ledger, workload } = run;
    workload.createCompanies();
    workload.changes(7);
    await system.settled();
    // Frozen Redis: each delivery waits the receiver's 2 s and then goes to the disk spool.
    redis.pause();
    const traffic = workload.steady(150);
    try {
      await waitFor(() => spooled(system.spoolDir) >= 3, {
        timeoutMs: 30_000,
        what: 'events in the disk spool',
      });
      await system.killReceiver(); // deliveries in flight get no answer; SuperOffice retries
      const left = spooled(system.spoolDir);
      expect(left).toBeGreaterThanOrEqual(3);
      redis.resume();
      const receiver = await system.startReceiver();
      expect(receiver.output()).toContain('events left in the disk spool by a previous run');
      await waitFor(() => spooled(system.spoolDir) === 0, {
        timeoutMs: 30_000,
        what: 'the spool to drain',
      });
      // The new process queued what the killed one had spooled (or found it already queued:
      // the killed process's own add may have reached Redis when it thawed).
      expect(receiver.output()).toMatch(/spooled event queued/);
      const now = workload.count();
      await waitFor(() => workload.count() >= now + 15, { timeoutMs: 20_000, what: 'traffic' });
    } finally {
      traffic.stop();
    }
    const report = await assertInvariant(system, ledger, reference, {
      reconciliation: true,
      timeoutMs: 30_000,
    });
    console.log(`receiver SIGKILL: ${report.summary}`);
    await waitFor(() => webhookState(system.sim) === 'Active', {
      timeoutMs: 10_000,
      what: 'the webhook to be Active',
    });
  }, 150_000);
});
