import { sameTenant, type TenantConfig } from './tenant-config';

/** Where a tenant came from. */
export type TenantSourceName = 'environment' | 'file' | 'store';

/**
 * When two sources define the same contextIdentifier, the earlier one here wins: the operator's
 * environment over the operator's file over tenants onboarded in the browser. So onboarding can
 * never replace the secrets or credentials of a tenant an operator configured.
 */
export const SOURCE_PRECEDENCE: readonly TenantSourceName[] = ['environment', 'file', 'store'];

export interface MergedTenant {
  readonly tenant: TenantConfig;
  readonly source: TenantSourceName;
  /** Lower-precedence sources that define the same tenant and are ignored for it. */
  readonly shadows: readonly TenantSourceName[];
}

/** One view of all sources by contextIdentifier, applying {@link SOURCE_PRECEDENCE}. */
export function mergeSources(
  sources: ReadonlyMap<TenantSourceName, ReadonlyMap<string, TenantConfig>>,
): Map<string, MergedTenant> {
  const merged = new Map<string, MergedTenant>();
  for (const name of SOURCE_PRECEDENCE) {
    for (const [ctx, tenant] of sources.get(name) ?? []) {
      const winner = merged.get(ctx);
      merged.set(
        ctx,
        winner === undefined
          ? { tenant, source: name, shadows: [] }
          : { ...winner, shadows: [...winner.shadows, name] },
      );
    }
  }
  return merged;
}

/** What a registry change did, by contextIdentifier (each list sorted). */
export interface TenantChange {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

/** The difference between two views; a tenant that moved to another source with other settings is `changed`. */
export function diffTenants(
  before: ReadonlyMap<string, MergedTenant>,
  after: ReadonlyMap<string, MergedTenant>,
): TenantChange {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [ctx, now] of after) {
    const was = before.get(ctx);
    if (was === undefined) added.push(ctx);
    else if (!sameTenant(was.tenant, now.tenant)) changed.push(ctx);
  }
  for (const ctx of before.keys()) if (!after.has(ctx)) removed.push(ctx);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}
