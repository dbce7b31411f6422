import type { TenantRegistry } from './registry';
import { mapSecrets, type TenantConfig } from './tenant-config';

/** Where a tenant's secret values go to be kept out of output (a logger's SecretValues). */
export interface SecretSink {
  replace(owner: string, values: readonly string[]): void;
  delete(owner: string): void;
}

/** Every secret value of a tenant: webhook secrets and token, its SuperOffice credential, its provider key. */
export function tenantSecretValues(tenant: TenantConfig): string[] {
  const values: string[] = [];
  mapSecrets(tenant, (value) => {
    values.push(value);
    return value;
  });
  return values;
}

/**
 * Keeps `sink` holding the secret values of exactly the registry's tenants: all of them now, a
 * tenant's new values when it is added or changed (a rotated secret, a re-consent's refresh token),
 * none of a removed tenant's. Returns the unsubscribe function.
 */
export function trackTenantSecrets(registry: TenantRegistry, sink: SecretSink): () => void {
  const put = (contextIdentifier: string) => {
    const tenant = registry.get(contextIdentifier);
    if (tenant) sink.replace(contextIdentifier, tenantSecretValues(tenant));
    else sink.delete(contextIdentifier);
  };
  for (const tenant of registry.list()) put(tenant.contextIdentifier);
  return registry.on('change', ({ added, changed, removed }) => {
    for (const ctx of [...added, ...changed, ...removed]) put(ctx);
  });
}
