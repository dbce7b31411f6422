import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import supertest from 'supertest';
import { TenantStore, type TenantConfig } from '@so-connector/tenants';
import { aTenant } from '@so-connector/tenants/testing';
import {
  aWebhookEvent,
  TEST_TENANT,
  useTestRedis,
  waitFor,
  type TestRedis,
} from '@so-connector/testing';
import {
  SECRET,
  signedDelivery,
  startReceiverForTest,
  type ReceiverUnderTest,
} from './receiver-harness';
import { fileTenant, secretOf, writeTenantsFile } from './tenants-harness';

// The receiver as main.ts starts it (no registry passed in): its tenants come from the
// configuration, i.e. the environment's tenant, TENANTS_FILE and, with TENANT_SECRETS_KEY, the store.
let redis: TestRedis;
let connection: Redis;
let dir: string;
let sut: ReceiverUnderTest | undefined;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'so-tenant-sources-'));
});
afterEach(async () => {
  await sut?.close();
  sut = undefined;
  rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  connection.disconnect();
  await redis.cleanup();
});

function deliver(ctx: string, secret: string) {
  const delivery = signedDelivery(aWebhookEvent({ ContextIdentifier: ctx }), secret);
  return supertest(sut!.url)
    .post(`/webhooks/superoffice/${ctx}`)
    .set(delivery.headers)
    .send(delivery.text);
}

function storedTenant(ctx: string, secret: string): TenantConfig {
  return aTenant(ctx, { webhookSecrets: [secret] });
}

describe('receiver tenants from its configuration', () => {
  it("serves TENANTS_FILE's tenants beside the environment's", async () => {
    const file = join(dir, 'tenants.yaml');
    writeTenantsFile(file, fileTenant('CustFile'));
    sut = await startReceiverForTest({
      redisUrl: redis.url,
      prefix: `${redis.prefix}-file`,
      env: { TENANTS_FILE: file },
    });
    expect((await deliver('CustFile', secretOf('CustFile'))).status).toBe(200);
    expect((await deliver(TEST_TENANT, SECRET)).status).toBe(200);
    expect((await deliver('CustFile', 'not-its-secret')).status).toBe(401);
  });

  it('serves onboarded tenants from the store with TENANT_SECRETS_KEY, one added later within 5 s', async () => {
    const key = randomBytes(32);
    const prefix = `${redis.prefix}-store`;
    const store = new TenantStore({ redis: connection, prefix, secretsKey: key });
    await store.put(storedTenant('CustStored', 'whsec-stored'));
    sut = await startReceiverForTest({
      redisUrl: redis.url,
      prefix,
      env: { TENANT_SECRETS_KEY: key.toString('base64') },
    });
    expect((await deliver('CustStored', 'whsec-stored')).status).toBe(200);

    expect((await deliver('CustLater', 'whsec-later')).status).toBe(401);
    await store.put(storedTenant('CustLater', 'whsec-later'));
    await waitFor(async () => (await deliver('CustLater', 'whsec-later')).status === 200, {
      timeoutMs: 5000,
      intervalMs: 200,
      what: 'the tenant onboarded after start to be served',
    });
  });

  it('refuses to start with a TENANTS_FILE that cannot be read, naming it', async () => {
    await expect(
      startReceiverForTest({
        redisUrl: redis.url,
        prefix: `${redis.prefix}-bad`,
        env: { TENANTS_FILE: join(dir, 'missing.yaml') },
      }),
    ).rejects.toThrow(/TENANTS_FILE/);
  });
});
