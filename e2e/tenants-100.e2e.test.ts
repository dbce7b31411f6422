import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { waitFor } from '@so-connector/testing';
import {
  HUMAN,
  tenantSpec,
  useTenantsDeployment,
  type SimTenant,
  type TenantSpec,
  type TenantsDeployment,
} from './tenants-deployment';
import { jobsOfTenants, metricSum, metricTenants } from './tenant-views';
import { onTopology, startTopologyRedisBeforeAll, type Topology } from './topologies';

// Issue 12, "e2e with … 100 simulated tenants": the same deployment as tenants.e2e.test.ts with
// 100 tenants in TENANTS_FILE (100 simulators in this process, one worker and one receiver
// process), every tenth with its own Company Explorer key, the rest the deployment's builtin
// provider, and every tenth (5, 15, …) signing in as a system user with the app's RSA key
// (SO_APP_PRIVATE_KEY_FILE; its simulator checks the signed token against the app's public key
// and issues the ticket). Lean on purpose: two changes per tenant, then ten tenants removed mid-traffic. On one
// redis-server, a 6-node Redis Cluster, where all 100 tenants' keys share the hash-tagged
// QUEUE_PREFIX's slot (no QUEUE_PARTITIONS: e2e/partitions.e2e.test.ts spreads them), and a
// Sentinel setup (issue 13).
const TENANTS = 100;

const summaryOf = (t: SimTenant, id: number, key = t.udf.summary) =>
  ((t.sim.state.get('contact', id)!.UserDefinedFields ?? {}) as Record<string, string>)[key];
const nameOf = (t: SimTenant) => `Tenant ${t.contextIdentifier} Holding AS`;

// The partner app's key pair: the private half in the worker's SO_APP_PRIVATE_KEY_FILE.
const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyDir = mkdtempSync(join(tmpdir(), 'so-e2e-app-key-'));
const APP_KEY_FILE = join(keyDir, 'app.pem');
writeFileSync(APP_KEY_FILE, app.privateKey.export({ format: 'pem', type: 'pkcs8' }));
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

/** Tenant i of the 100: every tenth its own Company Explorer key, every tenth a system user. */
function specOf(i: number, explorerUrl: string): TenantSpec {
  const spec = tenantSpec(
    i,
    i % 10 === 9
      ? { type: 'company-explorer', url: explorerUrl, apiKey: `ce-key-${i}` }
      : undefined,
  );
  return i % 10 === 5
    ? { ...spec, systemUser: { token: `SoConnector-${i}.sys`, appPublicKey: app.publicKey } }
    : spec;
}

describe.each<Topology>(['single', 'cluster', 'sentinel'])(
  '100 tenants from TENANTS_FILE in one deployment (built processes), %s Redis',
  (topology) => {
    const redis = startTopologyRedisBeforeAll(topology);
    const use = useTenantsDeployment(
      (explorerUrl) => Array.from({ length: TENANTS }, (_, i) => specOf(i, explorerUrl)),
      {
        timeoutMs: 120_000,
        workerEnv: { SO_APP_PRIVATE_KEY_FILE: APP_KEY_FILE },
        redis: () => onTopology(redis()),
      },
    );
    // Declared after the deployment's: jest runs afterAll hooks in order, so the processes stop first.
    afterAll(() => redis.dispose());
    let d: TenantsDeployment;
    beforeAll(() => {
      d = use.deployment();
    });

    it("enriches every tenant's events with its own credentials, UDF map and provider; nothing crosses", async () => {
      // The jobs counted below are read through the topology's own connection.
      const client = await d.system.events.client;
      const sentinels = (client.options as { sentinels?: unknown }).sentinels;
      expect(client instanceof Cluster ? 'cluster' : sentinels ? 'sentinel' : 'single').toBe(
        topology,
      );
      const started = Date.now();
      for (const t of d.tenants) {
        t.sim.editAs(HUMAN, 'contact', 2, { Name: nameOf(t) });
        t.sim.editAs(HUMAN, 'person', 12, { Title: `Buyer at ${t.contextIdentifier}` });
      }
      await d.settled({ timeoutMs: 90_000 });
      console.log(`100 tenants: 200 changes enriched in ${Date.now() - started} ms`);

      const receiver = await d.receiverMetrics();
      const worker = await d.workerMetrics();
      for (const t of d.tenants) {
        const summary = summaryOf(t, 2);
        if (t.provider) {
          expect(summary).toBe(`${nameOf(t)} (org. no. 918273645) analysed by the explorer.`);
        } else expect(summary).toMatch(new RegExp(`^${nameOf(t)} is a `));
        // Nothing under another tenant's keys (the neighbour's, whose ProgIds are closest).
        const neighbour = d.tenants[(d.tenants.indexOf(t) + 1) % TENANTS]!;
        expect(summaryOf(t, 2, neighbour.udf.summary)).toBeUndefined();
        // Own credentials: writes at the tenant's own simulator, one per changed record; a
        // system-user tenant's with a ticket only (its one token call was the test's registration).
        expect(t.sim.counters.get('PATCH Contact/{id}')).toBe(1);
        expect(t.sim.counters.get('PATCH Person/{id}')).toBe(1);
        if (t.systemUser) {
          expect(t.sim.systemUser.ticketsIssued).toBeGreaterThanOrEqual(1);
          expect(t.sim.counters.get('POST token')).toBe(1);
        } else expect(t.sim.systemUser.ticketsIssued).toBe(0);
        expect(
          metricSum(receiver, 'so_receiver_webhook_requests_total', {
            tenant: t.contextIdentifier,
            outcome: 'accepted',
          }),
        ).toBe(t.sim.deliveries.filter((x) => x.status === 200).length);
        expect(
          metricSum(worker, 'so_worker_enrichments_total', {
            tenant: t.contextIdentifier,
            outcome: 'written',
          }),
        ).toBe(2);
      }
      // Each explorer tenant's key asked only about that tenant's records.
      const explorerTenants = d.tenants.filter((t) => t.provider);
      for (const r of use.explorer().requests) {
        const owner = explorerTenants.find((t) => t.provider!.apiKey === r.key);
        expect(owner).toBeDefined();
        expect(r.body).toContain(owner!.contextIdentifier);
      }
      expect(new Set(use.explorer().requests.map((r) => r.key)).size).toBe(explorerTenants.length);
      expect(d.system.writes()).toBe(0);
      // Every tenant has its page; the list names all 101 (the environment's tenant included).
      const list = await d.admin('/admin/tenants');
      expect([...list.body.matchAll(/<tr data-tenant="/g)]).toHaveLength(TENANTS + 1);
      const page = await d.admin(`/admin/t/${d.tenants[57]!.contextIdentifier}`);
      expect(page.body).toContain(nameOf(d.tenants[57]!));
      expect(
        page.body.match(/Tenant Cust\d+ Holding AS/g)?.every((n) => n === nameOf(d.tenants[57]!)),
      ).toBe(true);
    }, 120_000);

    it('removes ten tenants mid-traffic: their jobs end skipped or done, none retried; the other 90 go on', async () => {
      const removed = d.tenants.filter((_, i) => i % 10 === 3);
      const kept = d.tenants.filter((t) => !removed.includes(t));
      for (const t of removed) t.sim.faults.latencyMs = 300;
      for (const t of d.tenants)
        for (const id of [3, 4])
          t.sim.editAs(HUMAN, 'contact', id, { Name: `Round two ${t.contextIdentifier} ${id}` });
      const removedIds = removed.map((t) => t.contextIdentifier);
      await waitFor(
        async () =>
          (await jobsOfTenants(d, removedIds)).some(
            (j) => j.job.queueName === 'so-enrich' && !['completed', 'active'].includes(j.state),
          ),
        { timeoutMs: 10_000, what: "removed tenants' enrichments queued" },
      );
      await d.removeTenants(kept);
      // Their SuperOffice's deliveries are refused now.
      const late = removed[0]!.sim.deliveries.length;
      removed[0]!.sim.editAs(HUMAN, 'contact', 5, { Name: 'After its removal' });
      await d.settled({ timeoutMs: 90_000 });
      expect(new Set(removed[0]!.sim.deliveries.slice(late).map((x) => x.status))).toEqual(
        new Set([401]),
      );

      for (const t of kept)
        for (const id of [3, 4])
          expect(summaryOf(t, id)).toContain(`Round two ${t.contextIdentifier} ${id}`);
      const all = await jobsOfTenants(d, removedIds);
      expect(all.filter((j) => j.state !== 'completed').map((j) => j.state)).toEqual([]);
      expect(all.filter((j) => j.job.attemptsMade > 1).map((j) => j.job.id)).toEqual([]);
      const skipped = all.filter((j) => j.reason === 'tenant-unknown');
      expect(skipped.length).toBeGreaterThan(0);
      console.log(
        `10 tenants removed: ${all.length} jobs of theirs, ${skipped.length} skipped tenant-unknown`,
      );
      expect(await d.system.enrich.getFailedCount()).toBe(0);
      const receiver = await d.receiverMetrics();
      const labelled = metricTenants(receiver, 'so_receiver_webhook_requests_total');
      // The removed tenants' series are gone; their refused deliveries count as `unknown`.
      expect(labelled).toEqual(
        [...kept.map((t) => t.contextIdentifier), 'Cust12345', 'unknown'].sort(),
      );
    }, 120_000);
  },
);
