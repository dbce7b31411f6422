import { tenantScope, type TenantScope } from './links';

/** The tenants the admin UI can show, read on every request (the registry changes at run time). */
export interface AdminTenants {
  /** Every registered tenant's ContextIdentifier. */
  list(): readonly string[];
  /**
   * The tenant `/admin` shows: the environment's one tenant when there is one, else the only
   * registered tenant; undefined when there are several (then `/admin` lists them).
   */
  defaultTenant(): string | undefined;
}

/** A fixed set of tenants, the first the default: the one-tenant receiver and tests. */
export function fixedTenants(tenants: readonly string[]): AdminTenants {
  return { list: () => tenants, defaultTenant: () => tenants[0] };
}

export type ScopeResolution =
  | { readonly kind: 'tenant'; readonly scope: TenantScope }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'choose' };

/**
 * Which tenant a request is about. `requested` is the `{ContextIdentifier}` of an
 * `/admin/t/{ContextIdentifier}/…` path (matched without regard to case), undefined for the plain
 * `/admin/…` paths, which show the default tenant, or ask to choose one when there is none.
 */
export function resolveScope(
  tenants: AdminTenants,
  requested: string | undefined,
): ScopeResolution {
  const fallback = tenants.defaultTenant();
  if (requested === undefined) {
    return fallback === undefined
      ? { kind: 'choose' }
      : { kind: 'tenant', scope: tenantScope(fallback, true) };
  }
  const wanted = requested.toLowerCase();
  const tenant = tenants.list().find((t) => t.toLowerCase() === wanted);
  if (tenant === undefined) return { kind: 'unknown' };
  return { kind: 'tenant', scope: tenantScope(tenant, tenant === fallback) };
}
