import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisConnection } from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { parseSecretsKey, TenantStore } from '@so-connector/tenants';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import type { Redis } from 'ioredis';
import { cli, envFor } from './cli-harness';

/** A TENANTS_FILE tenant (the file's own schema). */
export const fileTenant = (contextIdentifier: string) => ({
  contextIdentifier,
  webhookSecrets: [`file-secret-${contextIdentifier}`],
  refreshToken: `file-refresh-${contextIdentifier}`,
  udf: { vertical: 'SuperOffice:83' },
});

export interface TenantsFixture {
  readonly sim: () => RunningSimulator;
  readonly connection: () => Redis;
  /** A scratch directory for files of this suite. */
  readonly dir: () => string;
  /** This test's key prefix (QUEUE_PREFIX). */
  readonly prefix: () => string;
  /** The CLI environment of this test: the simulator's tenant, this test's Redis prefix, a TENANT_SECRETS_KEY. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** This test's tenant store. */
  store(): TenantStore;
  /** A TENANTS_FILE with these tenants. */
  tenantsFile(tenants: Record<string, unknown>[]): string;
  /** `tenants add` of a tenant served by the simulator, with its real credentials. */
  addSimTenant(contextIdentifier: string, e: Record<string, string>): ReturnType<typeof cli>;
}

/**
 * Real: Redis (a key prefix per test), the simulator over HTTP, a TENANTS_FILE on disk. Registers
 * the suite's set-up and tear-down; call at the top of a test file.
 */
export function useTenantsFixture(): TenantsFixture {
  let redis: TestRedis;
  let connection: Redis;
  let sim: RunningSimulator;
  let dir: string;
  let prefix = '';
  const secretsKey = randomBytes(32).toString('base64');
  beforeAll(async () => {
    redis = await useTestRedis();
    connection = createRedisConnection(redis.url, { role: 'worker' });
    sim = await startSimulator({ retryScale: 0.001 });
    dir = mkdtempSync(join(tmpdir(), 'so-cli-tenants-'));
  });
  afterAll(async () => {
    await sim.stop();
    await connection.quit();
    await redis.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    prefix = `${redis.prefix}-${Math.random().toString(36).slice(2, 8)}`;
  });
  const env = (extra: Record<string, string> = {}) =>
    envFor(sim, { url: redis.url, prefix }, { TENANT_SECRETS_KEY: secretsKey, ...extra });
  return {
    sim: () => sim,
    connection: () => connection,
    dir: () => dir,
    prefix: () => prefix,
    env,
    store: () =>
      new TenantStore({ redis: connection, prefix, secretsKey: parseSecretsKey(secretsKey) }),
    tenantsFile(tenants) {
      const path = join(dir, `${prefix}.json`);
      writeFileSync(path, JSON.stringify({ tenants }));
      return path;
    },
    addSimTenant: (contextIdentifier, e) =>
      cli(
        [
          'tenants',
          'add',
          '--context',
          contextIdentifier,
          '--refresh-token',
          'env:SIM_REFRESH_TOKEN',
          '--api-base-url',
          sim.apiBaseUrl(),
          '--token-url',
          sim.tokenUrl,
          '--udf-vertical',
          'SuperOffice:83',
          '--owner-scope',
          '12,JD',
          '--json',
        ],
        { ...e, SIM_REFRESH_TOKEN: sim.client.refreshToken },
      ),
  };
}
