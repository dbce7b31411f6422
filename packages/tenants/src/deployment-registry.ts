import type { Cluster, Redis } from 'ioredis';
import { parseSecretsKey } from './crypto';
import type { EnvMap } from './env-ref';
import { TenantStore } from './redis-store';
import { TenantRegistry } from './registry';
import type { TenantDefaults } from './schema';
import type { TenantConfig } from './tenant-config';

export interface DeploymentRegistryOptions {
  /** The environment shorthand's tenant, when the environment names one. */
  readonly environment?: TenantConfig | undefined;
  /** TENANTS_FILE, when set, with the variables its `env:` references read and its defaults. */
  readonly file?: {
    readonly path: string;
    readonly env: EnvMap;
    readonly defaults: TenantDefaults;
  };
  /** The onboarded tenants' store, when this process reads it. */
  readonly store?: {
    readonly redis: Redis | Cluster;
    readonly prefix: string;
    /** TENANT_SECRETS_KEY as configured (validated by the config package); undefined = none. */
    readonly secretsKey: string | undefined;
  };
}

/**
 * The registry a process of this deployment serves from: the environment's tenant, TENANTS_FILE
 * and the store of onboarded tenants, as docs/tenants.md describes. Loaded once; `close` it on stop.
 * @throws when a source cannot load (TenantsFileError, TenantSecretsError, StoredTenantError).
 */
export function openDeploymentRegistry(
  options: DeploymentRegistryOptions,
): Promise<TenantRegistry> {
  const { environment, file, store } = options;
  return TenantRegistry.create({
    ...(environment ? { environment } : {}),
    ...(file ? { file: { path: file.path, env: file.env, defaults: file.defaults } } : {}),
    ...(store
      ? {
          store: {
            store: new TenantStore({
              redis: store.redis,
              prefix: store.prefix,
              secretsKey:
                store.secretsKey === undefined ? undefined : parseSecretsKey(store.secretsKey),
            }),
          },
        }
      : {}),
  });
}
