import { partitionOf, partitionPrefix } from './partitions';

/**
 * Where a tenant's own keys live (docs/architecture.md "Partitions"): its partition's prefix, the
 * slot of its `so-events` and `so-enrich` jobs. The sync-run log, seen markers, activity counters,
 * fingerprints and provider results, budgets, pauses, webhook health, the reconcile cursor and
 * backfill progress of a tenant are all written by its jobs, so with them in its partition a
 * tenant's work touches one master of a Redis Cluster, and that master's failover holds up only
 * its partitions' tenants. With one partition (the default) that is QUEUE_PREFIX itself: every
 * key is what it was before partitions existed.
 */
export type TenantKeyPrefix = (tenant: string) => string;

/** The prefix of `tenant`'s own keys with `partitions` queue partitions. */
export function tenantKeyPrefix(prefix: string, partitions: number): TenantKeyPrefix {
  if (partitions === 1) return () => prefix;
  return (tenant) => partitionPrefix(prefix, partitionOf(tenant, partitions));
}

/** A store's prefix option: QUEUE_PREFIX for every tenant, or one per tenant. */
export type TenantKeyPrefixOption = string | TenantKeyPrefix;

/** The prefix of `tenant`'s keys under a store's prefix option. */
export function prefixOfTenant(option: TenantKeyPrefixOption, tenant: string): string {
  return typeof option === 'string' ? option : option(tenant);
}

/**
 * The kinds of tenant-scoped key, as they follow the prefix: `{prefix}:{kind}:{tenant}…`, and the
 * pauses' `{prefix}:pause:{{tenant}}:{source}`. Anything else under a prefix (queues, the
 * registry, the recorded partition count) is not a tenant's and never moves.
 */
export const TENANT_KEY_KINDS = [
  'runs',
  'activity',
  'seen',
  'enriched',
  'provider-result',
  'budget',
  'webhook-health',
  'reconcile',
  'backfill',
] as const;

/** The tenant a key under `prefix` belongs to, if it is one of a tenant's own keys. */
export function tenantOfKey(prefix: string, key: string): string | undefined {
  if (!key.startsWith(`${prefix}:`)) return undefined;
  const rest = key.slice(prefix.length + 1);
  const pause = /^pause:\{([^}]+)\}:/.exec(rest);
  if (pause) return pause[1];
  const colon = rest.indexOf(':');
  if (colon < 0) return undefined;
  const kind = rest.slice(0, colon);
  if (!(TENANT_KEY_KINDS as readonly string[]).includes(kind)) return undefined;
  const tenant = /^[^:]+/.exec(rest.slice(colon + 1))?.[0];
  return tenant === undefined || tenant === '' ? undefined : tenant;
}
