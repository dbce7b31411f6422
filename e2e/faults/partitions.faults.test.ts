import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { partitionOf, partitionPrefix } from '@so-connector/queue';
import { recordFailoverTiming, waitFor, type RedisProcess } from '@so-connector/testing';
import { startPartitionedSystem, type PartitionedSystem } from '../partitions-system';
import { HUMAN, type SimTenant } from '../tenants-deployment';
import { failedOverFrom, slotOwner } from './cluster-slots';
import { LatencyProbe, quantile, steadyChanges } from './tenant-latency';

// Issue 13 with QUEUE_PARTITIONS: six tenants (partitions 0, 1, 6, 7, 4, 5 of 8) on a 6-node Redis
// Cluster, two built receivers and a built worker (partitions-system.ts). A master is SIGKILLed
// under steady traffic from every tenant: one holding tenant partitions only, or partition 0's,
// which also holds what is every tenant's (the registry, re-consent marks, so-maintenance; each
// tenant's own keys are in its partition: docs/architecture.md "Partitions"). The tenants of the
// partitions on the other masters are enriched all through the failover; those of the killed
// master's partitions resume once its replica is promoted, and no change of any tenant is lost.
const PARTITIONS = 8;
const TENANTS = 6;
/** `cluster-node-timeout`: a master silent this long is failed and its replica promoted. */
const NODE_TIMEOUT_MS = 2000;
/** One change per tenant every 250 ms, as in tenants.faults.test.ts. */
const EVERY_MS = 250;
/** Traffic goes on this long after the kill (past the promotion, seen at 2–4 s). */
const TRAFFIC_AFTER_MS = 8000;
/** Which master is killed: partition 0's (QUEUE_PREFIX's slot), or one without it. */
const VICTIMS = [
  { name: 'a tenant partition', base: false },
  { name: 'partition 0 (QUEUE_PREFIX)', base: true },
] as const;

let system: PartitionedSystem | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

const writesAt = (t: SimTenant) =>
  t.sim.counters.get('PATCH Contact/{id}') + t.sim.counters.get('PATCH Person/{id}');

/** The times (ms, performance.now) of a tenant's writes from now on. */
function writeTimes(t: SimTenant): number[] {
  const times: number[] = [];
  const apiUser = t.sim.state.apiUser.associateId;
  t.sim.state.on('change', (change: { changedByAssociateId: number }) => {
    if (change.changedByAssociateId === apiUser) times.push(performance.now());
  });
  return times;
}

describe('Redis Cluster failover with partitioned queues', () => {
  it.each(VICTIMS)(
    "the master of $name SIGKILLed under every tenant's traffic: the tenants on the other masters go on, the others resume after the promotion, no change lost",
    async (victimOf) => {
      const d = (system = await startPartitionedSystem({
        topology: 'cluster',
        partitions: PARTITIONS,
        tenants: TENANTS,
        nodeTimeoutMs: NODE_TIMEOUT_MS,
        // Accepted only once the partition master's replica holds it (cluster.faults.test.ts).
        env: { REDIS_REPLICA_ACKS: '1' },
        // A job whose completion the killed master had not passed on is active again on the
        // promoted one with no worker on it until the stalled check gives it back.
        workerEnv: { WORKER_LOCK_DURATION_MS: '5000' },
      }));
      const setup = d.cluster!;
      const partitionPrefixOf = (t: SimTenant) =>
        partitionPrefix(d.prefix, partitionOf(t.contextIdentifier, PARTITIONS));
      const masterOf = new Map<SimTenant, RedisProcess>();
      for (const t of d.tenants) {
        const owner = await slotOwner(setup, partitionPrefixOf(t));
        if (!owner) throw new Error(`no master serves ${partitionPrefixOf(t)}`);
        masterOf.set(t, owner);
      }
      const base = await slotOwner(setup, d.prefix);
      const victim = victimOf.base
        ? base
        : d.tenants.map((t) => masterOf.get(t)!).find((m) => m !== base);
      if (!victim)
        throw new Error('no master to kill (every tenant partition is on the base one?)');
      const hit = d.tenants.filter((t) => masterOf.get(t) === victim);
      const spared = d.tenants.filter((t) => masterOf.get(t) !== victim);
      expect(spared.length).toBeGreaterThan(0);

      const probes = new Map(d.tenants.map((t) => [t, new LatencyProbe(t)]));
      const allWritten = (what: string, timeoutMs: number) =>
        waitFor(() => [...probes.values()].every((p) => p.waiting() === 0), {
          timeoutMs,
          intervalMs: 50,
          what,
        });
      // Warm-up: every tenant's runtime (token, layout, lists) is built before the fault.
      for (const t of d.tenants)
        t.sim.editAs(HUMAN, 'contact', 2, { Name: `${t.contextIdentifier} warm-up` });
      await allWritten('the warm-up changes written', 30_000);
      for (const p of probes.values()) p.take();
      const writesBefore = d.tenants.reduce((n, t) => n + writesAt(t), 0);
      const times = new Map(d.tenants.map((t) => [t, writeTimes(t)]));

      const traffic = steadyChanges(d.tenants, EVERY_MS);
      let failedAt = 0;
      let promotedAt = 0;
      try {
        await waitFor(() => traffic.count() >= 4 * TENANTS, { timeoutMs: 20_000, what: 'traffic' });
        failedAt = performance.now();
        await victim.kill();
        const promoted = await failedOverFrom(setup, partitionPrefixOf(hit[0]!), victim);
        promotedAt = performance.now();
        expect(promoted).not.toBe(victim);
        await waitFor(() => performance.now() - failedAt >= TRAFFIC_AFTER_MS, {
          timeoutMs: TRAFFIC_AFTER_MS + 10_000,
          intervalMs: 200,
          what: 'traffic after the kill',
        });
      } finally {
        traffic.stop();
        // Back as the promoted master's replica: its partitions' writes are acknowledged again.
        await victim.start();
      }
      await allWritten('every change of every tenant written', 60_000);
      await waitFor(
        () =>
          [0, 1].every((i) =>
            readdirSync(join(d.dir, `spool-${i}`)).every((f) => !f.endsWith('.json')),
          ),
        { timeoutMs: 30_000, intervalMs: 200, what: 'both spools drained' },
      );
      await d.settled();

      // The spared tenants were written while the killed master's slots had no master (from half a
      // second after the kill: a write then may come from a job that had just finished).
      const during = (t: SimTenant) =>
        times.get(t)!.filter((at) => at > failedAt + 500 && at < promotedAt).length;
      const sparedDuring = spared.map(during);
      // The hit tenants' first write after the promotion.
      const resumedMs =
        Math.min(...hit.map((t) => times.get(t)!.find((at) => at >= promotedAt) ?? Infinity)) -
        promotedAt;
      // Nothing written twice for a change: every record's writes at most its changes.
      const writes = d.tenants.reduce((n, t) => n + writesAt(t), 0) - writesBefore;
      const failed = await Promise.all(d.queues.map((q) => q.queue.getFailedCount()));
      const spooled = d
        .outputs()
        .reduce((n, out) => n + out.split('spooling event to disk').length - 1, 0);
      const accepted = d.tenants.reduce(
        (n, t) => n + t.sim.deliveries.filter((x) => x.status === 200).length,
        0,
      );
      const latencies = [...probes.values()].flatMap((p) => p.take());
      console.log(
        `Cluster, QUEUE_PARTITIONS=${PARTITIONS}, the master of ${victimOf.name} SIGKILLed: ` +
          `${traffic.count()} changes, ${accepted} deliveries accepted, ${writes} writes, ` +
          `${spooled} events spooled (all drained); ` +
          `replica promoted ${Math.round(promotedAt - failedAt)} ms after the kill; ` +
          `${hit.length} tenant(s) on it, first written ${Math.round(resumedMs)} ms after the promotion; ` +
          `${spared.length} on the other masters, written ${sparedDuring.join('/')} times meanwhile; ` +
          `latency p50/p99 ${quantile(latencies, 0.5).toFixed(0)}/${quantile(latencies, 0.99).toFixed(0)} ms`,
      );
      recordFailoverTiming({
        topology: 'cluster',
        fault: `master of ${victimOf.name} SIGKILLed (QUEUE_PARTITIONS=${PARTITIONS})`,
        promotedMs: Math.round(promotedAt - failedAt),
        resumedMs: Math.round(resumedMs),
        accepted,
        spooled,
      });
      expect(Math.min(...sparedDuring)).toBeGreaterThan(0);
      expect(writes).toBeLessThanOrEqual(traffic.count());
      expect(failed.reduce((a, b) => a + b, 0)).toBe(0);
      expect(spooled).toBeGreaterThan(0);
      // The processes were not restarted: none of them has exited.
      for (const p of d.processes) expect(p.child.exitCode).toBeNull();
      expect(resumedMs).toBeLessThanOrEqual(15_000);
    },
    180_000,
  );
});
