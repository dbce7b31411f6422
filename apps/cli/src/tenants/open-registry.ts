import type { CliConfig } from '@so-connector/config';
import { parseSecretsKey, TenantRegistry, TenantStore } from '@so-connector/tenants';
import type { RedisConnection } from '@so-connector/queue';
import { environmentTenant, tenantDefaults } from './settings';

/** The onboarded tenants in Redis, encrypted under TENANT_SECRETS_KEY (when set). */
export function tenantStore(config: CliConfig, redis: RedisConnection): TenantStore {
  const key = config.tenants.secretsKey;
  return new TenantStore({
    redis,
    prefix: config.queue.prefix,
    secretsKey: key === undefined ? undefined : parseSecretsKey(key),
  });
}

/**
 * The deployment's registry as the receiver and the worker build it: the environment's tenant,
 * TENANTS_FILE and the store. Loaded once; `close` it after use (it watches its sources).
 * @throws TenantsFileError, TenantSecretsError or StoredTenantError when a source cannot load.
 */
export function openTenantRegistry(
  config: CliConfig,
  env: Readonly<Record<string, string | undefined>>,
  redis: RedisConnection,
): Promise<TenantRegistry> {
  const file = config.tenants.file;
  const environment = environmentTenant(config);
  return TenantRegistry.create({
    ...(environment ? { environment } : {}),
    ...(file === undefined ? {} : { file: { path: file, env, defaults: tenantDefaults(config) } }),
    store: { store: tenantStore(config, redis) },
  });
}
