import type { KeyObject } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadSeed,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
  type TenantSeed,
} from '@so-connector/superoffice-simulator';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  freePort,
  pendingJobsIn,
  settle,
  waitFor,
} from '@so-connector/testing';
import { startFakeCompanyExplorer, type FakeCompanyExplorer } from './faults/company-explorer-fake';
import { startSystem, type RunningSystem } from './system';
import type { OnTopology } from './topologies';

/** The admin UI's credentials in these tests. */
export const ADMIN = { user: 'partner-ops', password: 'many-tenants-admin-pw-7c1e' };

export interface TenantUdfMap {
  readonly vertical: string;
  readonly summary: string;
  readonly opener: string;
  readonly personOpener: string;
}

/** A tenant's own provider settings (TENANTS_FILE `provider`); absent = the deployment's builtin. */
export interface TenantProvider {
  readonly type: 'company-explorer';
  readonly url: string;
  readonly apiKey: string;
}

/** One simulated SuperOffice tenant of a many-tenant deployment, with everything of its own. */
export interface TenantSpec {
  readonly contextIdentifier: string;
  readonly webhookSecret: string;
  readonly refreshToken: string;
  /** The API user's associate id (the echo rule is per tenant). */
  readonly apiUser: number;
  readonly udf: TenantUdfMap;
  readonly provider?: TenantProvider;
  /**
   * Signs in as a system user (TENANTS_FILE `systemUserToken`) with the deployment's app key
   * (SO_APP_PRIVATE_KEY_FILE), whose public half its simulator checks the signed token with. The
   * refresh token then serves only the test's own webhook registration.
   */
  readonly systemUser?: { readonly token: string; readonly appPublicKey: KeyObject };
}

export interface SimTenant extends TenantSpec {
  readonly sim: RunningSimulator;
}

/**
 * Tenant `i` of a test: its own ContextIdentifier (`Cust{1001+i}`), webhook secret, refresh token,
 * API user, Vertical list and UDF ProgIds (none shared with another tenant or the demo tenant).
 */
export function tenantSpec(i: number, provider?: TenantProvider): TenantSpec {
  const base = 1000 + 10 * i;
  return {
    contextIdentifier: `Cust${1001 + i}`,
    webhookSecret: `whsec-tenant-${i}-${(0x9e3779b1 * (i + 1)).toString(36)}`,
    refreshToken: `rt-tenant-${i}`,
    apiUser: 100 + i,
    udf: {
      vertical: `SuperOffice:${base}`,
      summary: `SuperOffice:${base + 1}`,
      opener: `SuperOffice:${base + 2}`,
      personOpener: `SuperOffice:${base + 3}`,
    },
    ...(provider ? { provider } : {}),
  };
}

/** The demo tenant renamed, with the spec's API user, Vertical list and UDF ProgIds. */
function seedFor(spec: TenantSpec, demo: TenantSeed): TenantSeed {
  const list = `udlist${spec.apiUser}`;
  return {
    ...demo,
    contextIdentifier: spec.contextIdentifier,
    apiUser: { ...demo.apiUser, associateId: spec.apiUser },
    verticalList: { ...demo.verticalList, name: list },
    contactUdfs: [
      { progId: spec.udf.vertical, label: 'Vertical', type: 'list', list },
      { progId: spec.udf.summary, label: 'AI summary', type: 'text', textLength: 2000 },
      { progId: spec.udf.opener, label: 'AI opener', type: 'text', textLength: 500 },
    ],
    personUdfs: [
      { progId: spec.udf.personOpener, label: 'AI opener', type: 'text', textLength: 500 },
    ],
  };
}

/** One simulator per tenant, each on its own port and accepting only the tenant's refresh token. */
export async function startTenantSimulators(
  specs: readonly TenantSpec[],
  options: SimulatorOptions = {},
): Promise<SimTenant[]> {
  const demo = loadSeed();
  return Promise.all(
    specs.map(async (spec) => ({
      ...spec,
      sim: await startSimulator({
        retryScale: 0.01,
        ...options,
        seed: seedFor(spec, demo),
        client: { refreshToken: spec.refreshToken },
        ...(spec.systemUser
          ? {
              systemUser: {
                appPublicKey: spec.systemUser.appPublicKey,
                systemUserToken: spec.systemUser.token,
              },
            }
          : {}),
      }),
    })),
  );
}

/** TENANTS_FILE's JSON for these tenants (the file format of docs/tenants.md). */
export function tenantsFileText(tenants: readonly SimTenant[]): string {
  return JSON.stringify(
    {
      tenants: tenants.map((t) => ({
        contextIdentifier: t.contextIdentifier,
        webhookSecrets: [t.webhookSecret],
        ...(t.systemUser
          ? { systemUserToken: t.systemUser.token }
          : { refreshToken: t.refreshToken }),
        apiBaseUrl: t.sim.apiBaseUrl(),
        tokenUrl: t.sim.tokenUrl,
        udf: t.udf,
        ...(t.provider ? { provider: t.provider } : {}),
      })),
    },
    null,
    2,
  );
}

export interface TenantsDeployment {
  /** The receiver and worker processes, Redis, and the environment's own tenant (Cust12345). */
  readonly system: RunningSystem;
  readonly tenants: readonly SimTenant[];
  readonly tenantsFile: string;
  readonly workerMetricsUrl: string;
  /** Rewrites TENANTS_FILE (write to a temporary file and rename, as an editor or ConfigMap does). */
  setTenants(tenants: readonly SimTenant[]): void;
  /** Rewrites TENANTS_FILE to `kept` and waits until the receiver and the worker dropped the rest. */
  removeTenants(kept: readonly SimTenant[]): Promise<void>;
  /** Waits until every simulator's deliveries and both queues are idle (see `settle`). */
  settled(options?: { timeoutMs?: number }): Promise<void>;
  /** GET on the receiver as the admin (HTTP Basic). */
  admin(path: string): Promise<{ status: number; body: string }>;
  receiverMetrics(): Promise<string>;
  workerMetrics(): Promise<string>;
  stop(): Promise<void>;
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += limit)
    await Promise.all(items.slice(i, i + limit).map(work));
}

/**
 * A many-tenant deployment as a partner runs it: the built receiver and worker processes with the
 * environment's tenant (the demo simulator, Cust12345) and `specs` in a TENANTS_FILE, each tenant
 * its own simulator whose webhook posts signed events to `/webhooks/superoffice/{ctx}` with the
 * tenant's own secret. The admin UI is on; the worker serves /metrics on a port of its own.
 */
export async function startTenantsDeployment(
  specs: readonly TenantSpec[],
  options: {
    workerEnv?: Record<string, string>;
    simulator?: SimulatorOptions;
    /** A Cluster or Sentinel setup to run on (topologies.ts onTopology); one redis-server by default. */
    redis?: OnTopology;
  } = {},
): Promise<TenantsDeployment> {
  const tenants = await startTenantSimulators(specs, options.simulator);
  const dir = mkdtempSync(join(tmpdir(), 'so-e2e-tenants-'));
  const tenantsFile = join(dir, 'tenants.json');
  const setTenants = (list: readonly SimTenant[]) => {
    const temporary = join(dir, `.tenants.json.${process.hrtime.bigint()}`);
    writeFileSync(temporary, tenantsFileText(list));
    renameSync(temporary, tenantsFile);
  };
  setTenants(tenants);
  const metricsPort = await freePort();
  const system = await startSystem({
    ...options.redis,
    receiverEnv: {
      TENANTS_FILE: tenantsFile,
      ADMIN_USER: ADMIN.user,
      ADMIN_PASSWORD: ADMIN.password,
    },
    workerEnv: {
      TENANTS_FILE: tenantsFile,
      METRICS_PORT: String(metricsPort),
      ...options.workerEnv,
    },
  });
  await inBatches(tenants, 10, async (t) => {
    const status = await t.sim.registerWebhook({
      targetUrl: `${system.receiverUrl}/webhooks/superoffice/${t.contextIdentifier}`,
      secret: t.webhookSecret,
      events: CONNECTOR_WEBHOOK_EVENTS,
    });
    if (status !== 200)
      throw new Error(`webhook of ${t.contextIdentifier} not registered: ${status}`);
  });
  const sims = [system.sim, ...tenants.map((t) => t.sim)];
  const workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const text = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    return { status: res.status, body: await res.text() };
  };
  const authorization = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
  const admin = (path: string) =>
    text(`${system.receiverUrl}${path}`, { headers: { authorization, accept: 'text/html' } });
  return {
    system,
    tenants,
    tenantsFile,
    workerMetricsUrl,
    setTenants,
    async removeTenants(kept) {
      const removed = tenants.filter((t) => !kept.includes(t)).map((t) => t.contextIdentifier);
      setTenants(kept);
      const dropped = new Set<string>();
      await waitFor(
        async () => {
          for (const line of system.workers[0]!.output().split('\n')) {
            if (!line.includes('"tenants changed;')) continue;
            for (const ctx of (JSON.parse(line) as { removed?: string[] }).removed ?? [])
              dropped.add(ctx);
          }
          if (!removed.every((ctx) => dropped.has(ctx))) return false;
          const pages = await Promise.all(
            removed.map((ctx) => admin(`/admin/t/${ctx}`).then((page) => page.status)),
          );
          return pages.every((status) => status === 404);
        },
        { timeoutMs: 5_000, what: `the receiver and the worker to drop ${removed.join(', ')}` },
      );
    },
    settled: ({ timeoutMs = 60_000 } = {}) =>
      settle(
        {
          pendingJobs: () => pendingJobsIn([system.events, system.enrich]),
          deliveries: () => sims.reduce((n, s) => n + s.deliveries.length, 0),
          deliveriesSettled: async () => {
            await Promise.all(sims.map((s) => s.deliveriesSettled()));
          },
        },
        { timeoutMs },
      ),
    admin,
    receiverMetrics: async () => (await text(`${system.receiverUrl}/metrics`)).body,
    workerMetrics: async () => (await text(workerMetricsUrl)).body,
    async stop() {
      await system.stop();
      await Promise.all(tenants.map((t) => t.sim.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A test file's deployment: before all its tests a fake Company Explorer and the deployment of
 * `specs(explorer url)`, after them both stopped. The getters work only inside a test.
 */
export function useTenantsDeployment(
  specs: (explorerUrl: string) => TenantSpec[],
  options: {
    timeoutMs?: number;
    workerEnv?: Record<string, string>;
    /** Where Redis is, asked when the deployment starts (after the topology's own beforeAll). */
    redis?: () => OnTopology;
  } = {},
): { readonly deployment: () => TenantsDeployment; readonly explorer: () => FakeCompanyExplorer } {
  let explorer: FakeCompanyExplorer | undefined;
  let deployment: TenantsDeployment | undefined;
  beforeAll(async () => {
    explorer = await startFakeCompanyExplorer();
    deployment = await startTenantsDeployment(specs(explorer.url), {
      ...(options.workerEnv ? { workerEnv: options.workerEnv } : {}),
      ...(options.redis ? { redis: options.redis() } : {}),
    });
  }, options.timeoutMs ?? 60_000);
  afterAll(async () => {
    await deployment?.stop();
    await explorer?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTenantsDeployment: not started');
    return value;
  };
  return { deployment: () => ready(deployment), explorer: () => ready(explorer) };
}

/** A human user of every simulated tenant (RJ in the demo seed). */
export const HUMAN = 5;
