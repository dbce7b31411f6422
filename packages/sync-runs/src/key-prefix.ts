/**
 * A store's key prefix: QUEUE_PREFIX for every tenant, or the prefix of each tenant's own keys
 * (its queue partition's: @so-connector/queue `tenantKeyPrefix`, docs/architecture.md "Partitions").
 */
export type StorePrefix = string | ((tenant: string) => string);

export function storePrefixOf(prefix: StorePrefix, tenant: string): string {
  return typeof prefix === 'string' ? prefix : prefix(tenant);
}
