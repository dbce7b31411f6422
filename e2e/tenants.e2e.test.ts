import { Cluster, type Redis } from 'ioredis';
import { waitFor } from '@so-connector/testing';
import {
  HUMAN,
  tenantSpec,
  useTenantsDeployment,
  type SimTenant,
  type TenantsDeployment,
} from './tenants-deployment';
import { everyRedisEntry } from './redis-values';
import { jobsOfTenants, metricSum, metricTenants } from './tenant-views';
import { onTopology, startTopologyRedisBeforeAll, type Topology } from './topologies';

// Issue 12, "e2e with two … simulated tenants": a partner's deployment (the built receiver and
// worker, real Redis) serving two tenants from TENANTS_FILE besides the environment's own
// (Cust12345, which the configuration still requires). Each tenant is its own simulated
// SuperOffice with its own refresh token, webhook secret, API user, UDF map and provider settings,
// and posts signed webhooks to /webhooks/superoffice/{ctx}. The tests run in file order on one
// deployment.
const HOME = 'Cust12345';

let d: TenantsDeployment;
let A: SimTenant;
let B: SimTenant;

const udfs = (t: SimTenant, kind: 'contact' | 'person', id: number) =>
  (t.sim.state.get(kind, id)!.UserDefinedFields ?? {}) as Record<string, string | undefined>;

/** SuperOffice calls the worker made at the tenant's simulator (not the test's registration). */
const workerCallsAt = (t: SimTenant) =>
  t.sim.counters.total() - t.sim.counters.get('POST Webhook') - t.sim.counters.get('POST token');

/** The receiver's and the worker's JSON log lines that name events (`eventId`, `eventIds`). */
function eventLogLines(deployment: TenantsDeployment): { tenant: unknown; ids: string[] }[] {
  const text = [deployment.system.receiver, ...deployment.system.workers]
    .map((p) => p.output())
    .join('\n');
  const out: { tenant: unknown; ids: string[] }[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    const line = JSON.parse(raw) as { tenant?: unknown; eventId?: unknown; eventIds?: unknown };
    const ids = [line.eventId, ...(Array.isArray(line.eventIds) ? line.eventIds : [])]
      .filter((id): id is string => typeof id === 'string')
      .map((id) => id.toLowerCase());
    if (ids.length > 0) out.push({ tenant: line.tenant, ids });
  }
  return out;
}

// On one redis-server, a 6-node Redis Cluster and a Sentinel setup (issue 13), as the scenarios
// e2e: the processes connect through REDIS_CLUSTER_NODES or REDIS_SENTINELS.
describe.each<Topology>(['single', 'cluster', 'sentinel'])(
  'two tenants from TENANTS_FILE in one deployment (built processes), %s Redis',
  (topology) => {
    const redis = startTopologyRedisBeforeAll(topology);
    const use = useTenantsDeployment(
      (explorerUrl) => [
        tenantSpec(0),
        tenantSpec(1, { type: 'company-explorer', url: explorerUrl, apiKey: 'ce-key-tenant-b' }),
      ],
      { redis: () => onTopology(redis()) },
    );
    // Declared after the deployment's: jest runs afterAll hooks in order, so the processes stop first.
    afterAll(() => redis.dispose());
    beforeAll(() => {
      d = use.deployment();
      [A, B] = d.tenants as [SimTenant, SimTenant];
    });

    it('enriches each tenant with its own credentials, UDF map and provider; nothing crosses', async () => {
      // The harness reads the jobs through the topology's own connection, so the processes'
      // jobs are found below only if they are there too.
      const client = await d.system.events.client;
      const sentinels = (client.options as { sentinels?: unknown }).sentinels;
      expect(client instanceof Cluster ? 'cluster' : sentinels ? 'sentinel' : 'single').toBe(
        topology,
      );
      // The same record ids in both tenants; 42 (the demo's API user) is a human in both.
      A.sim.editAs(HUMAN, 'contact', 2, { Name: 'Alpha Nordlys Robotics ASA' });
      A.sim.editAs(42, 'person', 11, { Title: 'Alpha Head of Sales' });
      B.sim.editAs(HUMAN, 'contact', 2, { Name: 'Beta Fjordsky Software AB' });
      B.sim.editAs(42, 'person', 11, { Title: 'Beta Plant Manager' });
      await d.settled();

      // Own UDF map and provider: A builtin under 1000–1003, B the explorer under 1010–1013.
      expect(udfs(A, 'contact', 2)[A.udf.summary]).toMatch(/^Alpha Nordlys Robotics ASA is a /);
      expect(udfs(A, 'person', 11)[A.udf.personOpener]).toBeTruthy();
      expect(udfs(B, 'contact', 2)[B.udf.summary]).toBe(
        'Beta Fjordsky Software AB (org. no. 918273645) analysed by the explorer.',
      );
      expect(udfs(B, 'person', 11)[B.udf.personOpener]).toMatch(/as Beta Plant Manager at /);
      for (const [t, other] of [
        [A, B],
        [B, A],
      ] as const) {
        for (const kind of ['contact', 'person'] as const)
          for (const key of Object.values(other.udf))
            expect(udfs(t, kind, kind === 'contact' ? 2 : 11)[key]).toBeUndefined();
      }
      // B's provider key, only for B's records; A's records never reached the explorer.
      expect(new Set(use.explorer().requests.map((r) => r.key))).toEqual(
        new Set(['ce-key-tenant-b']),
      );
      expect(use.explorer().requests.some((r) => r.body.includes('Beta Fjordsky'))).toBe(true);
      expect(use.explorer().requests.some((r) => r.body.includes('Alpha'))).toBe(false);

      // Own credentials: each simulator accepts only its tenant's refresh token and its own access
      // tokens, so each write there proves the worker signed in as that tenant. One write per record.
      for (const t of [A, B]) {
        expect(t.sim.counters.get('POST token')).toBeGreaterThan(1); // the test's registration + the worker
        expect(t.sim.counters.get('PATCH Contact/{id}')).toBe(1);
        expect(t.sim.counters.get('PATCH Person/{id}')).toBe(1);
      }
      expect(d.system.writes()).toBe(0); // the environment's tenant was not touched

      // Every log line of the processes that names an event names that event's own tenant.
      const tenantOf = new Map<string, string>();
      for (const t of [A, B])
        for (const x of t.sim.deliveries)
          tenantOf.set(x.eventId.toLowerCase(), t.contextIdentifier);
      const named = eventLogLines(d).filter((l) => l.ids.some((id) => tenantOf.has(id)));
      expect(named.length).toBeGreaterThan(0);
      for (const line of named)
        for (const id of line.ids) expect([id, line.tenant]).toEqual([id, tenantOf.get(id)]);
    });

    it('shows each tenant only its own runs, activity and metrics (admin pages, /metrics)', async () => {
      const pageA = await d.admin(`/admin/t/${A.contextIdentifier}`);
      const pageB = await d.admin(`/admin/t/${B.contextIdentifier}`);
      const home = await d.admin('/admin');
      expect([pageA.status, pageB.status, home.status]).toEqual([200, 200, 200]);
      expect(pageA.body).toContain('Alpha Nordlys Robotics ASA');
      expect(pageA.body).not.toContain('Beta Fjordsky');
      expect(pageB.body).toContain('Beta Fjordsky Software AB');
      expect(pageB.body).not.toContain('Alpha Nordlys');
      expect(home.body).toContain(`tenant ${HOME}`);
      expect(home.body).not.toMatch(/Alpha Nordlys|Beta Fjordsky/);
      // Activity per tenant: 2 events + 2 echoes and 2 enrichments each; none at the home tenant.
      for (const page of [pageA, pageB])
        expect(page.body).toContain('Activity: 4 events, 2 enrichments, 2 skips, 0 failures');
      expect(home.body).toContain('Activity: 0 events, 0 enrichments, 0 skips, 0 failures');
      // A's run is not reachable under B's path.
      const runA = /href="(\/admin\/t\/Cust1001\/runs\/[^"]+)"/.exec(pageA.body)?.[1];
      expect(runA).toBeDefined();
      expect((await d.admin(runA!)).status).toBe(200);
      const underB = await d.admin(runA!.replace('/t/Cust1001/', '/t/Cust1002/'));
      expect(underB.status).toBe(404);
      expect(underB.body).not.toContain('Alpha Nordlys');
      const tenants = await d.admin('/admin/tenants');
      expect([...tenants.body.matchAll(/<tr data-tenant="([^"]+)"/g)].map((m) => m[1])).toEqual([
        'Cust1001',
        'Cust1002',
        HOME,
      ]);

      // The receiver counts each tenant's accepted deliveries under its own label...
      const receiver = await d.receiverMetrics();
      for (const t of [A, B])
        expect(
          metricSum(receiver, 'so_receiver_webhook_requests_total', {
            tenant: t.contextIdentifier,
            outcome: 'accepted',
          }),
        ).toBe(t.sim.deliveries.filter((x) => x.status === 200).length);
      // ...and the worker each tenant's SuperOffice calls, exactly those its simulator served.
      const worker = await d.workerMetrics();
      for (const t of [A, B])
        expect(
          metricSum(worker, 'so_worker_superoffice_calls_total', { tenant: t.contextIdentifier }),
        ).toBe(workerCallsAt(t));
      expect(
        metricSum(worker, 'so_worker_provider_calls_total', {
          tenant: B.contextIdentifier,
          provider: 'company-explorer',
        }),
      ).toBe(use.explorer().requests.length);
      expect(
        metricSum(worker, 'so_worker_provider_calls_total', {
          tenant: A.contextIdentifier,
          provider: 'company-explorer',
        }),
      ).toBe(0);
      expect(metricTenants(worker, 'so_worker_enrichments_total')).toEqual([
        'Cust1001',
        'Cust1002',
      ]);
    });

    it('keeps no tenant secret in Redis in clear text (every key of every master, after traffic)', async () => {
      // The topology's own connection (BullMQ types it as its client interface).
      const client = (await d.system.events.client) as unknown as Redis | Cluster;
      const entries = await everyRedisEntry(client);
      // The traffic above is there: jobs, sync runs and dedup markers of both tenants.
      expect(entries.length).toBeGreaterThan(20);
      for (const t of [A, B])
        expect(entries.some((e) => e.key.includes(t.contextIdentifier))).toBe(true);
      const secrets = [
        ...[A, B].flatMap((t) => [t.webhookSecret, t.refreshToken]),
        'ce-key-tenant-b',
      ];
      const found = entries.flatMap((e) =>
        secrets
          .filter((s) => e.key.includes(s) || e.text.includes(s))
          .map((s) => `${s} in ${e.key}`),
      );
      expect(found).toEqual([]);
    });

    it('stops a tenant removed from the file mid-traffic cleanly: skipped tenant-unknown, never retried; the other goes on', async () => {
      // B's SuperOffice answers slowly, so B's enrichments are still queued when B is removed.
      B.sim.faults.latencyMs = 400;
      const deliveredBefore = B.sim.deliveries.length;
      for (const id of [2, 3, 4, 5])
        B.sim.editAs(HUMAN, 'contact', id, { Name: `Beta queued ${id}` });
      for (const id of [11, 12, 13, 14])
        B.sim.editAs(HUMAN, 'person', id, { Title: `Beta queued ${id}` });
      A.sim.editAs(HUMAN, 'contact', 3, { Name: 'Alpha during removal' });
      await waitFor(
        async () => {
          const jobs = await jobsOfTenants(d, [B.contextIdentifier]);
          const queued = jobs.filter(
            (j) => j.job.queueName === 'so-enrich' && !['completed', 'active'].includes(j.state),
          );
          return queued.length >= 3;
        },
        { timeoutMs: 10_000, what: "B's enrichments queued" },
      );
      await d.removeTenants([A]);
      // After the removal: B's deliveries are refused, A's go on.
      B.sim.editAs(HUMAN, 'contact', 5, { Name: 'Beta after removal' });
      A.sim.editAs(HUMAN, 'contact', 4, { Name: 'Alpha after removal' });
      await d.settled();

      const jobs = await jobsOfTenants(d, [B.contextIdentifier]);
      expect(jobs.filter((j) => j.state !== 'completed').map((j) => j.state)).toEqual([]);
      expect(jobs.filter((j) => j.job.attemptsMade > 1).map((j) => j.job.id)).toEqual([]);
      const skipped = jobs.filter((j) => j.reason === 'tenant-unknown');
      expect(skipped.length).toBeGreaterThan(0);
      expect(skipped[0]!.job.returnvalue).toEqual({
        outcome: 'skipped',
        reason: 'tenant-unknown',
        detail: 'tenant Cust1002 is not registered in this deployment',
      });
      console.log(
        `removed tenant: ${jobs.length} jobs of B, ${skipped.length} skipped tenant-unknown, ` +
          `${B.sim.counters.get('PATCH Contact/{id}') + B.sim.counters.get('PATCH Person/{id}')} writes at B in all`,
      );
      expect(await d.system.enrich.getFailedCount()).toBe(0);
      expect(await d.system.events.getFailedCount()).toBe(0);
      expect(String(udfs(B, 'contact', 5)[B.udf.summary])).not.toContain('Beta after removal');
      // Refused deliveries (401) are not queued: every delivery after the removal that B's
      // SuperOffice made was refused, and none of their EventIds has a job.
      const late = B.sim.deliveries.slice(deliveredBefore).filter((x) => x.status !== 200);
      expect(late.length).toBeGreaterThan(0);
      expect(new Set(late.map((x) => x.status))).toEqual(new Set([401]));
      for (const x of late)
        expect(await d.system.events.getJob(x.eventId.toLowerCase())).toBeUndefined();

      // A goes on, with its own UDF map.
      expect(udfs(A, 'contact', 3)[A.udf.summary]).toMatch(/^Alpha during removal is a /);
      expect(udfs(A, 'contact', 4)[A.udf.summary]).toMatch(/^Alpha after removal is a /);
      // B is gone from the views: its pages 404, its receiver series are dropped.
      expect((await d.admin(`/admin/t/${B.contextIdentifier}`)).status).toBe(404);
      expect(
        metricTenants(await d.receiverMetrics(), 'so_receiver_webhook_requests_total'),
      ).not.toContain(B.contextIdentifier);
    });
  },
);
