import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { TenantRegistry, tenantFromEnvironment } from '@so-connector/tenants';
import { aWebhookEvent, TEST_TENANT, useTestRedis, type TestRedis } from '@so-connector/testing';
import {
  SECRET,
  signedDelivery,
  startReceiverForTest,
  type ReceiverUnderTest,
} from './receiver-harness';

/** Each file tenant's webhook secret: distinct per tenant, so a cross-tenant signature fails. */
export const secretOf = (ctx: string) => `whsec-${ctx}-0123456789abcdef`;
/** The legacy `?token=` of a file tenant declared with `{ token: true }`. */
export const tokenOf = (ctx: string) => `legacy-${ctx}-token`;

/** One TENANTS_FILE entry (the keys the worker needs too, so the file is valid as a whole). */
export function fileTenant(
  ctx: string,
  auth: { token?: boolean; secrets?: readonly string[] } = {},
): string {
  const credential = auth.token
    ? `webhookToken: "${tokenOf(ctx)}"`
    : `webhookSecrets: ${JSON.stringify(auth.secrets ?? [secretOf(ctx)])}`;
  return `  - contextIdentifier: ${ctx}
    ${credential}
    refreshToken: "rt-${ctx}"
    udf: { vertical: "SuperOffice:83" }
`;
}

/** Writes TENANTS_FILE with these tenants (`tenants: []` for none). */
export function writeTenantsFile(path: string, ...tenants: string[]): void {
  writeFileSync(path, tenants.length === 0 ? 'tenants: []\n' : `tenants:\n${tenants.join('')}`);
}

/**
 * The registry a deployment with TENANTS_FILE builds: the environment shorthand (TEST_TENANT with
 * the harness's SECRET, as startReceiverForTest configures it) plus the file, watched and polled
 * as in production (TenantRegistry's file source, default intervals).
 */
export function registryWithFile(path: string): Promise<TenantRegistry> {
  return TenantRegistry.create({
    environment: tenantFromEnvironment({
      tenant: { contextIdentifier: TEST_TENANT },
      webhook: { secrets: [SECRET], token: undefined },
    }),
    file: { path, env: {} },
  });
}

export type Credentials = { secret?: string; signature?: string; query?: string };

/** What useTenantsReceiver gives a test file (valid inside its tests). */
export interface TenantsReceiver {
  readonly redis: TestRedis;
  readonly sut: ReceiverUnderTest;
  readonly tenantsFile: string;
  /**
   * POSTs `body` signed with `secret` (default: the environment tenant's SECRET); `signature: ''`
   * sends none, another value replaces it; `query` is appended to the path (`?token=...`).
   */
  post(path: string, body: object, credentials?: Credentials): supertest.Test;
  /** A fresh event of tenant `ctx` to that tenant's own path. */
  postToOwnPath(ctx: string, credentials?: Credentials): supertest.Test;
  /** Every job in `so-events` under this test's prefix, as [tenant, EventId]. */
  queued(): Promise<[string, string][]>;
}

/**
 * A receiver per test with a real TENANTS_FILE (CustA and CustB with a secret each, CustT with a
 * legacy token) and the environment's tenant, on real Redis. Registers the jest hooks; after each
 * test it checks that no tenant's secret reached a log line.
 */
export function useTenantsReceiver(): TenantsReceiver {
  let redis: TestRedis | undefined;
  let current: { sut: ReceiverUnderTest; registry: TenantRegistry; dir: string } | undefined;
  const now = () => {
    if (!current || !redis) throw new Error('useTenantsReceiver: only inside a test');
    return { ...current, redis };
  };

  beforeAll(async () => {
    redis = await useTestRedis();
  });
  afterAll(async () => {
    await redis?.cleanup();
  });
  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'so-receiver-tenants-'));
    const path = join(dir, 'tenants.yaml');
    writeTenantsFile(
      path,
      fileTenant('CustA'),
      fileTenant('CustB'),
      fileTenant('CustT', { token: true }),
    );
    const registry = await registryWithFile(path);
    const sut = await startReceiverForTest({
      redisUrl: redis!.url,
      prefix: `${redis!.prefix}-${Math.random().toString(36).slice(2, 10)}`,
      tenants: registry,
    });
    current = { sut, registry, dir };
  });
  afterEach(async () => {
    const { sut, registry, dir } = now();
    current = undefined;
    const logs = sut.logLines.join('\n');
    for (const secret of [SECRET, secretOf('CustA'), secretOf('CustB'), tokenOf('CustT')]) {
      expect(logs).not.toContain(secret);
    }
    await sut.events.obliterate({ force: true });
    await sut.close();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: object, credentials: Credentials = {}) => {
    const delivery = signedDelivery(body, credentials.secret ?? SECRET);
    const headers: Record<string, string> = { ...delivery.headers };
    if (credentials.signature === '') delete headers['x-superoffice-signature'];
    else if (credentials.signature !== undefined)
      headers['x-superoffice-signature'] = credentials.signature;
    return supertest(now().sut.url)
      .post(`${path}${credentials.query ?? ''}`)
      .set(headers)
      .send(delivery.text);
  };

  return {
    get redis() {
      return now().redis;
    },
    get sut() {
      return now().sut;
    },
    get tenantsFile() {
      return join(now().dir, 'tenants.yaml');
    },
    post,
    postToOwnPath: (ctx, credentials = {}) =>
      post(`/webhooks/superoffice/${ctx}`, aWebhookEvent({ ContextIdentifier: ctx }), credentials),
    async queued() {
      const jobs = await now().sut.events.getJobs([
        'waiting',
        'active',
        'completed',
        'failed',
        'delayed',
      ]);
      return jobs.map((job) => [job.data.tenant, job.data.event.EventId]);
    },
  };
}
