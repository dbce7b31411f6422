import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { loadWorkerConfig } from '@so-connector/config';
import { createLogger, createShutdownRegistry } from '@so-connector/logger';
import { TenantStore } from '@so-connector/tenants';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { startWorker } from '../src/start-worker';
import { startWorkerForTest, type WorkerUnderTest } from './worker-harness';
import { tenantB, B } from './tenants-harness';

// The worker as main.ts starts it (no registry passed in): the environment's tenant, TENANTS_FILE
// and the onboarded tenants in Redis, decrypted with TENANT_SECRETS_KEY.
let redis: TestRedis;
let connection: Redis;
let sut: WorkerUnderTest | undefined;
beforeAll(async () => {
  redis = await useTestRedis();
  connection = new Redis(redis.url);
});
afterEach(async () => {
  await sut?.close();
  sut = undefined;
});
afterAll(async () => {
  connection.disconnect();
  await redis.cleanup();
});

describe('worker tenants from its configuration', () => {
  it('serves the onboarded tenants of the store with TENANT_SECRETS_KEY', async () => {
    const key = randomBytes(32);
    const prefix = `${redis.prefix}-store`;
    const store = new TenantStore({ redis: connection, prefix, secretsKey: key });
    sut = await startWorkerForTest({
      redisUrl: redis.url,
      prefix,
      env: { TENANT_SECRETS_KEY: key.toString('hex') },
    });
    await store.put(tenantB(sut.sim));
    const registry = sut.worker.tenants.registry;
    await new Promise<void>((resolve) => {
      if (registry.get(B.contextIdentifier)) resolve();
      else registry.on('change', () => registry.get(B.contextIdentifier) && resolve());
    });
    expect(
      registry
        .list()
        .map((t) => t.contextIdentifier)
        .sort(),
    ).toEqual(['Cust12345', B.contextIdentifier].sort());
  });

  it('refuses to start while the store holds tenants and TENANT_SECRETS_KEY is not set', async () => {
    const prefix = `${redis.prefix}-nokey`;
    const store = new TenantStore({ redis: connection, prefix, secretsKey: randomBytes(32) });
    const nowhere = {
      apiBaseUrl: () => 'http://127.0.0.1:9/Cust2/api',
      tokenUrl: 'http://127.0.0.1:9/token',
    };
    await store.put(tenantB(nowhere));
    const config = loadWorkerConfig({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      SO_CONTEXT_IDENTIFIER: 'Cust12345',
      SO_CLIENT_ID: 'client',
      SO_CLIENT_SECRET: 'client-secret',
      SO_REFRESH_TOKEN: 'refresh-token',
      SO_API_BASE_URL: 'http://127.0.0.1:9/Cust12345/api',
      SO_TOKEN_URL: 'http://127.0.0.1:9/token',
      SO_UDF_SUMMARY: 'SuperOffice:2',
      METRICS_PORT: '0',
      WATCHDOG_INTERVAL_MS: '0',
      RECONCILE_INTERVAL_MS: '0',
    });
    const logger = createLogger({
      component: 'worker',
      level: 'error',
      format: 'json',
      destination: new PassThrough(),
    });
    const shutdown = createShutdownRegistry(logger, 5000);
    try {
      await expect(startWorker(config, logger, { shutdown })).rejects.toThrow(/TENANT_SECRETS_KEY/);
    } finally {
      await shutdown.shutdown('test end');
    }
  });
});
