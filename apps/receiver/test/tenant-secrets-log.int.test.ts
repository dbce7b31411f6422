import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { loadReceiverConfig } from '@so-connector/config';
import {
  createLogger,
  createShutdownRegistry,
  logSecretValues,
  REDACTED,
  type ShutdownRegistry,
} from '@so-connector/logger';
import { TenantStore } from '@so-connector/tenants';
import { aTenant } from '@so-connector/tenants/testing';
import { useTestRedis, waitFor, type TestRedis } from '@so-connector/testing';
import { openReceiverRegistry } from '../src/tenant-registry';

// The receiver's logger redacts the webhook secrets and tokens of TENANTS_FILE's and the store's
// tenants by value, as it does WEBHOOK_SECRET's. Real: Redis, the file, the store, JSON output.
let redis: TestRedis;
let connection: Redis;
let dir: string;
let shutdown: ShutdownRegistry | undefined;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'so-receiver-secrets-'));
});
afterEach(async () => {
  await shutdown?.shutdown('test end');
  shutdown = undefined;
  rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  connection.disconnect();
  await redis.cleanup();
});

const fileTenant = (ctx: string, webhookSecrets: string[]) => ({
  contextIdentifier: ctx,
  webhookSecrets,
  webhookToken: `legacy-token-${ctx}-4242`,
  refreshToken: `rt-${ctx}-0123456789`,
  udf: { vertical: 'SuperOffice:83' },
});

describe("the receiver's log and its tenants' secrets", () => {
  it('redacts file and stored tenants’ secrets from the start, a new one after a change, and forgets a removed tenant', async () => {
    const prefix = `${redis.prefix}-secrets`;
    const key = randomBytes(32);
    const store = new TenantStore({ redis: connection, prefix, secretsKey: key });
    await store.put(aTenant('CustStored', { webhookSecrets: ['whsec-stored-0987654321'] }));
    const file = join(dir, 'tenants.json');
    const write = (tenants: object[]) => writeFileSync(file, JSON.stringify({ tenants }));
    write([fileTenant('CustA', ['whsec-a-1111111111']), fileTenant('CustB', ['whsec-b-22222'])]);
    const env = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      TENANTS_FILE: file,
      TENANT_SECRETS_KEY: key.toString('base64'),
    };
    const config = loadReceiverConfig(env);
    let text = '';
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const logger = createLogger({
      component: 'receiver',
      level: 'info',
      format: 'json',
      destination,
    });
    shutdown = createShutdownRegistry(logger, 5000);
    const registry = await openReceiverRegistry(config, env, shutdown, logger);

    const secrets = [
      'whsec-a-1111111111',
      'legacy-token-CustA-4242',
      'rt-CustA-0123456789',
      'whsec-b-22222',
      'whsec-stored-0987654321',
    ];
    const request = logger.child({ eventId: 'e1' });
    request.warn(`refused: ${secrets.join(' ')}`);
    await waitFor(() => text.includes('refused'), { timeoutMs: 2000, what: 'the line' });
    for (const value of secrets) expect(text).not.toContain(value);
    expect(text).toContain(`refused: ${secrets.map(() => REDACTED).join(' ')}`);

    // A tenant onboarded later and a rotation in the file; a removed tenant's values are dropped.
    await store.put(aTenant('CustLater', { webhookSecrets: ['whsec-later-5555555'] }));
    write([fileTenant('CustA', ['whsec-a-rotated-333', 'whsec-a-1111111111'])]);
    await waitFor(
      () => registry.get('CustLater') !== undefined && registry.get('CustB') === undefined,
      { timeoutMs: 5000, what: 'both changes to be read' },
    );
    request.warn('later: whsec-later-5555555 whsec-a-rotated-333');
    await waitFor(() => text.includes('later:'), { timeoutMs: 2000, what: 'the line' });
    expect(text).toContain(`later: ${REDACTED} ${REDACTED}`);
    expect(logSecretValues(logger)?.owners().sort()).toEqual(['CustA', 'CustLater', 'CustStored']);
  });
});
