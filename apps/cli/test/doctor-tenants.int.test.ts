import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONNECTOR_WEBHOOK_EVENTS } from '@so-connector/superoffice-client';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { startRedisServer, type RedisServer } from '@so-connector/testing';
import { cli, startTestReceiver, type TestReceiver } from './cli-harness';

// doctor in a deployment without an environment tenant (docs/tenants.md "Without an environment
// tenant"): only the app identity, TENANTS_FILE or TENANT_SECRETS_KEY. Real: a redis-server with
// AOF and noeviction, the simulator over HTTP, a stand-in receiver for the webhook's ping.
let redis: RedisServer;
let sim: RunningSimulator;
let receiver: TestReceiver;
let dir: string;
let prefix = '';

beforeAll(async () => {
  redis = await startRedisServer({ appendOnly: 'everysec' });
  receiver = await startTestReceiver();
  dir = mkdtempSync(join(tmpdir(), 'so-cli-doctor-tenants-'));
});
afterAll(async () => {
  await receiver.close();
  await redis.dispose();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  prefix = `doctor-tenants-${Math.random().toString(36).slice(2, 8)}`;
  sim = await startSimulator({ retryScale: 0.001 });
});
afterEach(async () => {
  await sim.stop();
});

/** The tenant's webhook, as onboarding registers it: `{WEBHOOK_PUBLIC_URL}/{ctx}`, its secret. */
async function registerWebhook(contextIdentifier: string): Promise<void> {
  expect(
    await sim.registerWebhook({
      targetUrl: `${publicUrl()}/${contextIdentifier}`,
      secret: `secret-${contextIdentifier}`,
      events: CONNECTOR_WEBHOOK_EVENTS,
    }),
  ).toBe(200);
}

interface Check {
  check: string;
  status: string;
  detail: string;
  tenant?: string;
}

const publicUrl = () => `${receiver.url}/webhooks/superoffice`;

/** A TENANTS_FILE tenant served by the simulator, signing in with `refreshToken`. */
const fileTenant = (contextIdentifier: string, refreshToken = sim.client.refreshToken) => ({
  contextIdentifier,
  webhookSecrets: [`secret-${contextIdentifier}`],
  refreshToken,
  apiBaseUrl: sim.apiBaseUrl(),
  tokenUrl: sim.tokenUrl,
  udf: { vertical: 'SuperOffice:83' },
});

function tenantsFile(tenants: object[]): string {
  const path = join(dir, `${prefix}.json`);
  writeFileSync(path, JSON.stringify({ tenants }));
  return path;
}

/** The app identity, Redis and WEBHOOK_PUBLIC_URL: no SO_CONTEXT_IDENTIFIER, no SO_REFRESH_TOKEN, no SO_UDF_*. */
const appOnly = (extra: Record<string, string>) => ({
  REDIS_URL: redis.url,
  QUEUE_PREFIX: prefix,
  SO_CLIENT_ID: sim.client.clientId,
  SO_CLIENT_SECRET: sim.client.clientSecret,
  WEBHOOK_PUBLIC_URL: publicUrl(),
  ...extra,
});

async function doctorJson(env: Record<string, string>) {
  const run = await cli(['doctor', '--json'], env);
  const checks = run.json<{ checks: Check[] }>().checks;
  return { run, checks };
}

describe('doctor without an environment tenant', () => {
  it("checks each TENANTS_FILE tenant with its own settings, not the environment tenant's variables", async () => {
    await registerWebhook('Cust2');
    const file = tenantsFile([fileTenant('Cust2'), fileTenant('Cust3', 'revoked-refresh-token')]);
    const { run, checks } = await doctorJson(appOnly({ TENANTS_FILE: file }));

    // The worker starts in this set-up: no variable is missing.
    expect(checks.filter((c) => c.check === 'config')).toEqual([
      { check: 'config', status: 'PASS', detail: 'every variable is valid' },
    ]);
    const of = (tenant: string) =>
      checks.filter((c) => c.tenant === tenant).map((c) => `${c.status} ${c.check}`);
    expect(of('Cust2')).toEqual([
      'PASS tenant',
      'PASS superoffice-api',
      'PASS superoffice-token',
      'PASS api-user',
      'PASS contact-schema',
      'PASS person-schema',
      'PASS udf-layout',
      'PASS udf SO_UDF_VERTICAL',
      'SKIP udf SO_UDF_SUMMARY',
      'SKIP udf SO_UDF_OPENER',
      'SKIP udf SO_UDF_PERSON_OPENER',
      'PASS vertical-list',
      'PASS webhook 1',
      'PASS webhook 1 secret',
      'PASS provider',
    ]);
    // Cust3's token is refused: its failure is its own, named under its tenant.
    expect(of('Cust3')).toEqual([
      'PASS tenant',
      'PASS superoffice-api',
      'FAIL superoffice-token',
      'SKIP superoffice',
      'PASS provider',
    ]);
    expect(checks.find((c) => c.tenant === 'Cust3' && c.check === 'tenant')?.detail).toBe(
      'Cust3 from TENANTS_FILE',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('revoked-refresh-token');
    expect(run.stdout).not.toContain(sim.client.refreshToken);

    const text = await cli(['doctor'], appOnly({ TENANTS_FILE: file }));
    expect(text.stdout).toMatch(/^PASS {2}Cust2 superoffice-token +access token obtained/m);
    expect(text.stdout).toMatch(/^FAIL {2}Cust3 superoffice-token /m);
  });

  it('passes a deployment whose only tenant is in TENANTS_FILE', async () => {
    await registerWebhook('Cust2');
    const file = tenantsFile([fileTenant('Cust2')]);
    const { run, checks } = await doctorJson(appOnly({ TENANTS_FILE: file }));
    expect(checks.filter((c) => c.status === 'FAIL')).toEqual([]);
    expect(checks[0]).toEqual({
      check: 'config',
      status: 'PASS',
      detail: 'every variable is valid',
    });
    expect(checks[1]).toEqual({
      check: 'tenant',
      status: 'PASS',
      detail: 'Cust2 from TENANTS_FILE',
    });
    expect(checks.find((c) => c.check === 'webhook 1 secret')?.status).toBe('PASS');
    expect(run.code).toBe(0);
  });

  it('still names SO_REFRESH_TOKEN set without SO_CONTEXT_IDENTIFIER (the worker stops on it)', async () => {
    const file = tenantsFile([fileTenant('Cust2')]);
    const { checks } = await doctorJson(
      appOnly({ TENANTS_FILE: file, SO_REFRESH_TOKEN: 'a-token-for-no-tenant' }),
    );
    expect(checks.filter((c) => c.check === 'config')).toEqual([
      {
        check: 'config',
        status: 'FAIL',
        detail:
          "SO_CONTEXT_IDENTIFIER is required when SO_REFRESH_TOKEN is set (the environment's tenant); with TENANTS_FILE alone, unset it",
        fix: 'set SO_CONTEXT_IDENTIFIER (docs/configuration.md)',
      },
    ]);
  });

  it('warns that an onboarding-only deployment has no tenant yet, and checks the provider', async () => {
    const { run, checks } = await doctorJson(
      appOnly({ TENANT_SECRETS_KEY: randomBytes(32).toString('base64') }),
    );
    expect(checks.map((c) => `${c.status} ${c.check}`)).toEqual([
      'PASS config',
      'PASS redis',
      'PASS redis-version',
      'PASS redis-eviction',
      'PASS redis-aof',
      'WARN tenants',
      'PASS provider',
    ]);
    expect(run.code).toBe(0);
  });
});
