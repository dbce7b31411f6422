import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { loadWorkerConfig } from '@so-connector/config';
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
import { createWorkerMetrics } from '../src/metrics';
import { serveTenants, type ServedTenants } from '../src/tenants/serve-tenants';

// The worker's logger redacts the secrets of TENANTS_FILE's and the store's tenants by value, as
// it does the environment's: a line that quotes one (an error message, a response body) prints
// [REDACTED]. Real: Redis, the file on disk, the tenant store, the worker's logger writing JSON.
let redis: TestRedis;
let connection: Redis;
let dir: string;
let shutdown: ShutdownRegistry | undefined;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'so-worker-secrets-'));
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

const FILE_SECRETS = {
  webhook: 'whsec-file-tenant-0123456789',
  rotated: 'whsec-file-tenant-rotated-2468',
  refresh: 'rt-file-tenant-abcdefabcdef',
  apiKey: 'ce-key-file-tenant-13579',
  system: 'SoConnector-sys-token-55555',
};
const STORED = { webhook: 'whsec-stored-tenant-97531', refresh: 'rt-stored-tenant-86420' };

function writeFile(path: string, tenants: object[]): void {
  writeFileSync(path, JSON.stringify({ tenants }));
}
const fileTenantA = (webhookSecrets: string[]) => ({
  contextIdentifier: 'CustFileA',
  webhookSecrets,
  refreshToken: 'env:FILE_A_REFRESH',
  udf: { vertical: 'SuperOffice:83' },
  provider: { type: 'company-explorer', url: 'http://127.0.0.1:1', apiKey: FILE_SECRETS.apiKey },
});
const fileTenantB = {
  contextIdentifier: 'CustFileB',
  webhookToken: 'legacy-token-file-b-112233',
  systemUserToken: FILE_SECRETS.system,
  udf: { vertical: 'SuperOffice:83' },
};

describe("the worker's log and its tenants' secrets", () => {
  it('redacts every secret of file and stored tenants, follows a rotation and forgets a removed tenant', async () => {
    const prefix = `${redis.prefix}-secrets`;
    const key = randomBytes(32);
    await new TenantStore({ redis: connection, prefix, secretsKey: key }).put(
      aTenant('CustStored', {
        webhookSecrets: [STORED.webhook],
        credentials: { kind: 'refresh-token', refreshToken: STORED.refresh },
      }),
    );
    const file = join(dir, 'tenants.json');
    writeFile(file, [fileTenantA([FILE_SECRETS.webhook]), fileTenantB]);
    const config = loadWorkerConfig({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      SO_CLIENT_ID: 'app-id',
      SO_CLIENT_SECRET: 'app-client-secret-value',
      TENANTS_FILE: file,
      TENANT_SECRETS_KEY: key.toString('base64'),
    });
    let text = '';
    const destination = new PassThrough();
    destination.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const logger = createLogger({
      component: 'worker',
      level: 'info',
      format: 'json',
      secrets: [config.superoffice.clientSecret],
      destination,
    });
    shutdown = createShutdownRegistry(logger, 5000);
    const served: ServedTenants = await serveTenants({
      config,
      connection,
      shutdown,
      metrics: createWorkerMetrics('unknown'),
      logger,
      queues: [],
      env: { FILE_A_REFRESH: FILE_SECRETS.refresh },
    });
    const lines = () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);

    // A line of a job's child logger quoting each secret, in the message and in a nested field.
    const all = [
      FILE_SECRETS.webhook,
      FILE_SECRETS.refresh,
      FILE_SECRETS.apiKey,
      FILE_SECRETS.system,
      'legacy-token-file-b-112233',
      STORED.webhook,
      STORED.refresh,
    ];
    const job = logger.child({ jobId: '1' });
    for (const value of all) job.warn(`call failed: ${value}`, { detail: { body: `x=${value}` } });
    const failed = () => lines().filter((l) => String(l.message).startsWith('call failed'));
    await waitFor(() => failed().length === all.length, { timeoutMs: 2000, what: 'the lines' });
    for (const value of all) expect(text).not.toContain(value);
    expect(failed().map((l) => [l.message, (l.detail as { body: string }).body])).toEqual(
      all.map(() => [`call failed: ${REDACTED}`, `x=${REDACTED}`]),
    );

    // A rotation in the file and a removed tenant: the new secret is redacted, the set follows.
    writeFile(file, [fileTenantA([FILE_SECRETS.rotated, FILE_SECRETS.webhook])]);
    await waitFor(() => served.registry.get('CustFileB') === undefined, {
      timeoutMs: 5000,
      what: 'the file change to be read',
    });
    job.warn(`after rotation: ${FILE_SECRETS.rotated}`);
    await waitFor(() => text.includes('after rotation'), { timeoutMs: 2000, what: 'the line' });
    expect(text).not.toContain(FILE_SECRETS.rotated);
    expect(lines().find((l) => String(l.message).startsWith('after rotation'))?.message).toBe(
      `after rotation: ${REDACTED}`,
    );
    expect(logSecretValues(logger)?.owners().sort()).toEqual(['CustFileA', 'CustStored']);
  });
});
