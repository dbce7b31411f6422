import { sameTenant, type TenantConfig } from './tenant-config';

/** Where a tenant came from. */
export type TenantSourceName = 'environment' | 'file' | 'store';

/**
 * When two sources define the same contextIdentifier, in any letter case (SuperOffice treats
 * `Cust1` and `cust1` as one, and the receiver finds a tenant by either), the earlier one here
 * wins: the operator's environment over the operator's file over tenants onboarded in the browser.
 * So onboarding can never replace the secrets or credentials of a tenant an operator configured.
 */
export const SOURCE_PRECEDENCE: readonly TenantSourceName[] = ['environment', 'file', 'store'];

export interface MergedTenant {
  readonly tenant: TenantConfig;
  readonly source: TenantSourceName;
  /**
   * Sources that define the same tenant, in any letter case, and are ignored for it: the
   * lower-precedence ones, and `source` itself when it holds the id in a second spelling (the
   * store can; TENANTS_FILE refuses it).
   */
  readonly shadows: readonly TenantSourceName[];
}

/**
 * One view of all sources by contextIdentifier, as the winning source spells it, applying
 * {@link SOURCE_PRECEDENCE} case-insensitively; within a source, the first entry of an id wins.
 */
export function mergeSources(
  sources: ReadonlyMap<TenantSourceName, ReadonlyMap<string, TenantConfig>>,
): Map<string, MergedTenant> {
  /** By lower-cased id: the winner's spelling and its entry. */
  const byLowerCase = new Map<string, [string, MergedTenant]>();
  for (const name of SOURCE_PRECEDENCE) {
    for (const [ctx, tenant] of sources.get(name) ?? []) {
      const key = ctx.toLowerCase();
      const winner = byLowerCase.get(key);
      byLowerCase.set(
        key,
        winner === undefined
          ? [ctx, { tenant, source: name, shadows: [] }]
          : [winner[0], { ...winner[1], shadows: [...winner[1].shadows, name] }],
      );
    }
  }
  return new Map(byLowerCase.values());
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
