import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import supertest from 'supertest';
import { formatPasswordHash } from '@so-connector/config';
import { QUEUE_NAMES } from '@so-connector/queue';
import { SyncRunStore } from '@so-connector/sync-runs';
import { TenantRegistry, tenantFromEnvironment } from '@so-connector/tenants';
import { TEST_TENANT, useTestRedis, type TestRedis } from '@so-connector/testing';
import { hashPassword } from '../src/admin/admin-users';
import { ADMIN_PASSWORD, ADMIN_USER, basicAuth } from './admin-harness';
import { SECRET, startReceiverForTest, type ReceiverUnderTest } from './receiver-harness';
import { secretOf } from './tenants-harness';

/** Tenant admins: anna sees CustA, bob sees CustA and CustB; nobody but the operator sees TEST_TENANT. */
export const ANNA = { user: 'anna', password: 'anna-password-for-tests-1' } as const;
export const BOB = { user: 'bob@partner', password: 'bob-password-for-tests-22' } as const;

/** One sync run per tenant (account id, name, run id = the event id of its one job). */
export const RUNS = {
  [TEST_TENANT]: { accountId: 42, name: 'Acme AS', id: '0d7a1d7e-54d4-4f0e-9a55-000000000001' },
  CustA: { accountId: 51, name: 'Alpha Industri AS', id: '0d7a1d7e-54d4-4f0e-9a55-000000000002' },
  CustB: { accountId: 61, name: 'Beta Handel AS', id: '0d7a1d7e-54d4-4f0e-9a55-000000000003' },
} as const;
export type SeededTenant = keyof typeof RUNS;

/** CustA's budgets (TENANTS_FILE): the tenants page shows their use. */
export const CUSTA_BUDGET = { superofficeCallsPerMinute: 10, providerCallsPerHour: 5 } as const;

function tenantsYaml(): string {
  const entry = (ctx: string, budget?: string) => `  - contextIdentifier: ${ctx}
    webhookSecrets: ["${secretOf(ctx)}"]
    refreshToken: "rt-${ctx}"
    udf: { vertical: "SuperOffice:83" }
${budget ? `    budget: ${budget}\n` : ''}`;
  return `tenants:\n${entry(
    'CustA',
    `{ superofficeCallsPerMinute: ${CUSTA_BUDGET.superofficeCallsPerMinute}, providerCallsPerHour: ${CUSTA_BUDGET.providerCallsPerHour} }`,
  )}${entry('CustB')}`;
}

export interface AdminUsersDeployment {
  readonly redis: TestRedis;
  readonly sut: ReceiverUnderTest;
  readonly prefix: string;
  /** A GET as `who` (HTTP Basic). */
  get(path: string, who?: { user: string; password: string }): supertest.Test;
  /** Signs in through the login form; the `Cookie` header to send afterwards. */
  login(who: { user: string; password: string }): Promise<string>;
}

/** Puts one run and one so-events job per tenant into Redis, as the worker would have. */
async function seedRuns(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const events = new Queue(QUEUE_NAMES.events, { connection: redis, prefix });
  try {
    const store = new SyncRunStore({ redis, prefix });
    for (const [tenant, run] of Object.entries(RUNS)) {
      await store.record({
        tenant,
        accountId: run.accountId,
        accountName: run.name,
        id: run.id,
        kind: 'event',
        at: new Date().toISOString(),
        status: 'QUEUED',
        record: { entity: 'contact', id: run.accountId },
        event: 'contact.changed',
        reason: 'relevant: name changed',
        job: { queue: QUEUE_NAMES.events, id: run.id },
      });
      await events.add(
        'contact.changed',
        { tenant, event: { EventId: run.id, PrimaryKey: run.accountId, Entity: 'contact' } },
        { jobId: run.id },
      );
    }
  } finally {
    await events.close();
    redis.disconnect();
  }
}

/**
 * The whole receiver (real HTTP, real Redis) serving the environment's tenant and CustA/CustB from
 * a real TENANTS_FILE, with the operator and two tenant admins configured through ADMIN_USERS
 * exactly as an operator would write it. Registers the jest hooks (one deployment per file).
 */
export function useAdminUsersDeployment(): AdminUsersDeployment {
  let state: { redis: TestRedis; sut: ReceiverUnderTest; registry: TenantRegistry; dir: string };
  let prefix = '';
  beforeAll(async () => {
    const redis = await useTestRedis();
    prefix = `${redis.prefix}-users`;
    const dir = mkdtempSync(join(tmpdir(), 'so-admin-users-'));
    const file = join(dir, 'tenants.yaml');
    writeFileSync(file, tenantsYaml());
    const registry = await TenantRegistry.create({
      environment: tenantFromEnvironment({
        tenant: { contextIdentifier: TEST_TENANT },
        webhook: { secrets: [SECRET], token: undefined },
      }),
      file: { path: file, env: {} },
    });
    // The smallest cost ADMIN_USERS takes keeps the tests quick; production uses the default.
    const cost = { N: 2 ** 14, r: 8, p: 1 };
    const hash = async (password: string) => formatPasswordHash(await hashPassword(password, cost));
    const sut = await startReceiverForTest({
      redisUrl: redis.url,
      prefix,
      tenants: registry,
      env: {
        ADMIN_USER,
        ADMIN_PASSWORD,
        ADMIN_USERS: `${ANNA.user}:${await hash(ANNA.password)}:CustA ${BOB.user}:${await hash(BOB.password)}:CustA,CustB`,
      },
    });
    await seedRuns(redis.url, prefix);
    state = { redis, sut, registry, dir };
  });
  afterAll(async () => {
    await state.sut.close();
    await state.registry.close();
    await state.redis.cleanup();
    rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get redis() {
      return state.redis;
    },
    get sut() {
      return state.sut;
    },
    get prefix() {
      return prefix;
    },
    get: (path, who = { user: ADMIN_USER, password: ADMIN_PASSWORD }) =>
      supertest(state.sut.url).get(path).set('Authorization', basicAuth(who.user, who.password)),
    async login(who) {
      const res = await supertest(state.sut.url)
        .post('/admin/login')
        .type('form')
        .send({ user: who.user, password: who.password, next: '/admin' });
      const cookie = (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) =>
        c.startsWith('so_admin='),
      );
      if (res.status !== 303 || !cookie) throw new Error(`login failed: ${res.status}`);
      return cookie.split(';')[0]!;
    },
  };
}
