import { waitFor } from '@so-connector/testing';
import { tenantSpec, useTenantsDeployment, type SimTenant } from '../tenants-deployment';
import { jobsOfTenants } from '../tenant-views';
import { cpuMs, LatencyProbe, quantile, steadyChanges } from './tenant-latency';
import {
  expectOnTopology,
  onTopology,
  startTopologyRedisBeforeAll,
  TOPOLOGIES,
} from '../topologies';

// Issue 12, "Fault suite": six tenants from TENANTS_FILE in one deployment (built receiver and
// worker, real Redis, one simulator per tenant). One tenant's refresh token is revoked, one
// tenant's API is down, one tenant's webhook is parked by SuperOffice: the three other tenants'
// enrichment goes on, and their latency (human change → the connector's write, measured at their
// simulators) stays within 1.5× of their latency in quiet windows of the same test.
//
// Quiet and faulted windows alternate (Q F, five times, the first Q before any fault): the machine's
// load from other work drifts over seconds, and two long back-to-back runs measured that drift
// (a quiet p50 of 831 ms in one run and 350 ms in the next, with the load average near 29 on 2
// cores), not the faults. In a quiet window only the three healthy tenants have traffic; in a
// faulted window the three faulted tenants get as much again, so a faulted window has strictly
// more work: their refused deliveries, deferred jobs and failing retries. A faulted window is
// followed by a quiet one only when the down tenant's retries are spent. On one redis-server, a
// 6-node Redis Cluster and a Sentinel setup (issue 13), each against its own quiet windows.
const WINDOW_MS = Number(process.env.TENANT_FAULT_WINDOW_MS || 4000);
const ROUNDS = 5;
/** One change per tenant every 250 ms. */
const EVERY_MS = 250;
const MAX_RATIO = 1.5;
/**
 * How long the down tenant's API waits before its 503 (default 0: it answers at once). A host
 * that hangs holds a worker slot per call, at most TENANT_MAX_IN_FLIGHT of them per process:
 * docs/faults.md "Known gaps" (TENANT_FAULT_DOWN_HANGS_MS=3000 failed this test before that cap).
 */
const DOWN_HANGS_MS = Number(process.env.TENANT_FAULT_DOWN_HANGS_MS || 0);

// The down tenant's enrichments are retried twice, 1 s and 2 s later (the product's default
// backoff starts at 2 s; the other fault scenarios' 50 ms made the down tenant alone add more job
// runs to a faulted window than the three healthy tenants' enrichments: docs/faults.md).

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const writesAt = (t: SimTenant) =>
  t.sim.counters.get('PATCH Contact/{id}') + t.sim.counters.get('PATCH Person/{id}');

describe.each(TOPOLOGIES)(
  'tenant faults do not hold up the other tenants, %s Redis',
  (topology) => {
    const redis = startTopologyRedisBeforeAll(topology);
    const use = useTenantsDeployment(() => Array.from({ length: 6 }, (_, i) => tenantSpec(i)), {
      workerEnv: { ENRICH_ATTEMPTS: '3', ENRICH_BACKOFF_MS: '1000' },
      redis: () => onTopology(redis()),
    });
    // Declared after the deployment's: jest runs afterAll hooks in order, so the processes stop first.
    afterAll(() => redis.dispose());

    it(
      'token revoked, API down, webhook parked: the others are enriched within 1.5× of quiet windows',
      async () => {
        const d = use.deployment();
        await expectOnTopology(redis());
        const [revoked, down, parked, ...healthy] = d.tenants as [
          SimTenant,
          SimTenant,
          SimTenant,
          ...SimTenant[],
        ];
        const probes = new Map(d.tenants.map((t) => [t, new LatencyProbe(t)]));
        const healthyProbes = healthy.map((t) => probes.get(t)!);
        const written = (ps: LatencyProbe[], what: string) =>
          waitFor(() => ps.every((p) => p.waiting() === 0), {
            timeoutMs: 30_000,
            intervalMs: 20,
            what,
          });
        const perWindow: string[] = [];
        const cpu = () => [d.system.workers[0]!, d.system.receiver].map((p) => cpuMs(p.child.pid));
        /** Traffic at `tenants` for one window; resolves with the healthy tenants' latencies. */
        const window = async (tenants: readonly SimTenant[], what: string) => {
          const [w0, r0] = cpu();
          const traffic = steadyChanges(tenants, EVERY_MS);
          await sleep(WINDOW_MS);
          traffic.stop();
          await written(
            healthyProbes,
            `the healthy tenants' changes of the ${what} window written`,
          );
          const [w1, r1] = cpu();
          const samples = healthyProbes.flatMap((p) => p.take());
          perWindow.push(
            `${what} ${quantile(samples, 0.5).toFixed(0)}/${quantile(samples, 0.9).toFixed(0)} ` +
              `(cpu ms: worker ${w1! - w0!}, receiver ${r1! - r0!})`,
          );
          return samples;
        };

        // Warm-up: every tenant's runtime (token, layout, lists) is built before anything is measured.
        await window(d.tenants, 'warm-up');
        await written([...probes.values()], 'the warm-up written');

        const quiet: number[] = [];
        const faulted: number[] = [];
        const writesBefore = new Map<SimTenant, number>();
        let refusedFrom = 0;
        for (let round = 0; round < ROUNDS; round++) {
          quiet.push(...(await window(healthy, 'quiet')));
          if (round === 0) {
            // The admin revokes the app at the first tenant (its refresh token stops working, its
            // access tokens with it); the second tenant's API answers 503; SuperOffice signs the third
            // tenant's webhooks with a secret the connector does not have, so every delivery is
            // refused and SuperOffice parks the webhook after 9 failures.
            (revoked.sim.client as { refreshToken: string }).refreshToken =
              'revoked-at-superoffice';
            revoked.sim.expireTokens();
            down.sim.faults.outage = true;
            down.sim.faults.latencyMs = DOWN_HANGS_MS;
            parked.sim.webhooks()[0]!.Secret = 'a-secret-the-connector-never-had';
            for (const t of [revoked, down, parked]) {
              probes.get(t)!.stop();
              writesBefore.set(t, writesAt(t));
            }
            refusedFrom = parked.sim.deliveries.length;
          }
          faulted.push(...(await window(d.tenants, 'faulted')));
          await waitFor(
            async () =>
              (await jobsOfTenants(d, [down.contextIdentifier])).every((j) =>
                ['completed', 'failed'].includes(j.state),
              ),
            { timeoutMs: 15_000 + 100 * DOWN_HANGS_MS, what: "the down tenant's retries spent" },
          );
        }

        const ms = (v: number) => `${v.toFixed(0)} ms`;
        const ratio = (q: number) => quantile(faulted, q) / quantile(quiet, q);
        console.log(
          `tenant faults, ${topology} Redis: quiet p50 ${ms(quantile(quiet, 0.5))} p90 ${ms(quantile(quiet, 0.9))} (n=${quiet.length}); ` +
            `faulted p50 ${ms(quantile(faulted, 0.5))} p90 ${ms(quantile(faulted, 0.9))} (n=${faulted.length}); ` +
            `ratio p50 ${ratio(0.5).toFixed(2)} p90 ${ratio(0.9).toFixed(2)}; ` +
            `windows (p50/p90 ms): ${perWindow.join(', ')}`,
        );

        // The faults were met, and each faulted tenant's own work waits or fails visibly.
        const mark = await d.system.connection.hget(
          `${d.system.redis.prefix}:tenants:reconsent`,
          revoked.contextIdentifier,
        );
        expect(JSON.parse(mark ?? '{}')).toMatchObject({ reason: 'invalid_grant' });
        const jobs = await jobsOfTenants(d, [revoked.contextIdentifier, down.contextIdentifier]);
        const enrich = (t: SimTenant) =>
          jobs.filter(
            (j) => j.job.data.tenant === t.contextIdentifier && j.job.queueName === 'so-enrich',
          );
        // The revoked tenant's enrichments wait (delayed, deferred), none failed.
        expect(enrich(revoked).some((j) => j.state === 'delayed')).toBe(true);
        expect(enrich(revoked).filter((j) => j.state === 'failed')).toEqual([]);
        // The down tenant's enrichments failed with the 503 after their retries.
        expect(enrich(down).some((j) => /503/.test(j.job.failedReason ?? ''))).toBe(true);
        expect(parked.sim.webhooks()[0]!.State).toBe('TooManyErrors');
        expect(new Set(parked.sim.deliveries.slice(refusedFrom).map((x) => x.status))).toEqual(
          new Set([401]),
        );
        for (const t of [revoked, down, parked]) expect(writesAt(t)).toBe(writesBefore.get(t));

        // The other tenants went on: every change written, within 1.5× of the quiet windows.
        expect(Math.min(quiet.length, faulted.length)).toBeGreaterThan(100);
        expect(ratio(0.5)).toBeLessThanOrEqual(MAX_RATIO);
        expect(ratio(0.9)).toBeLessThanOrEqual(MAX_RATIO);
      },
      150_000 + 300 * DOWN_HANGS_MS,
    );
  },
);
