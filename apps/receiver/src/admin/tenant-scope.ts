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

/**
 * The registry's tenants, read on every request. The default is `preferred` (the environment's
 * tenant) while the registry serves it, else the only tenant, else none.
 */
export function registryTenants(
  registry: { list(): readonly { readonly contextIdentifier: string }[] },
  preferred: string | undefined,
): AdminTenants {
  const list = () => registry.list().map((t) => t.contextIdentifier);
  return {
    list,
    defaultTenant: () => {
      const all = list();
      if (preferred !== undefined && all.includes(preferred)) return preferred;
      return all.length === 1 ? all[0] : undefined;
    },
  };
}

/** A fixed set of tenants, the first the default: tests. */
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
