import type { TenantBudget, TenantUdfMap } from '@so-connector/tenants';
import type { AdminPrincipal } from './admin-users';
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
  /** The tenant's budgets (TenantConfig.budget); undefined = none set. */
  budget?(tenant: string): TenantBudget | undefined;
  /** The tenant's UDF map (TenantConfig.udf): the dashboard names the fields it writes by it. */
  udf?(tenant: string): TenantUdfMap | undefined;
  /** The tenants a tenant admin may see (tenantsFor): no Bull Board, no onboarding. */
  readonly restricted?: boolean;
}

/**
 * The registry's tenants, read on every request. The default is `preferred` (the environment's
 * tenant) while the registry serves it, else the only tenant, else none.
 */
export function registryTenants(
  registry: {
    list(): readonly {
      readonly contextIdentifier: string;
      readonly budget?: TenantBudget;
      readonly udf?: TenantUdfMap;
    }[];
  },
  preferred: string | undefined,
): AdminTenants {
  const list = () => registry.list().map((t) => t.contextIdentifier);
  return {
    list,
    budget: (tenant) => registry.list().find((t) => t.contextIdentifier === tenant)?.budget,
    udf: (tenant) => registry.list().find((t) => t.contextIdentifier === tenant)?.udf,
    defaultTenant: () => {
      const all = list();
      if (preferred !== undefined && all.includes(preferred)) return preferred;
      return all.length === 1 ? all[0] : undefined;
    },
  };
}

/** A fixed set of tenants, the first the default: tests. */
export function fixedTenants(
  tenants: readonly string[],
  budgets: Readonly<Record<string, TenantBudget>> = {},
): AdminTenants {
  return { list: () => tenants, defaultTenant: () => tenants[0], budget: (t) => budgets[t] };
}

/**
 * What `principal` may see of `all`: everything for the operator; for a tenant admin only its own
 * tenants (matched without regard to case) and the default among them, as if the others did not
 * exist. Read on every request, like `all`.
 */
export function tenantsFor(all: AdminTenants, principal: AdminPrincipal): AdminTenants {
  if (principal.kind === 'operator') return all;
  const own = new Set(principal.tenants.map((t) => t.toLowerCase()));
  const list = () => all.list().filter((t) => own.has(t.toLowerCase()));
  return {
    list,
    defaultTenant: () => {
      const visible = list();
      const preferred = all.defaultTenant();
      if (preferred !== undefined && visible.includes(preferred)) return preferred;
      return visible.length === 1 ? visible[0] : undefined;
    },
    budget: (tenant) => all.budget?.(tenant),
    udf: (tenant) => all.udf?.(tenant),
    restricted: true,
  };
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
      : { kind: 'tenant', scope: tenantScope(fallback, true, tenants.restricted) };
  }
  const wanted = requested.toLowerCase();
  const tenant = tenants.list().find((t) => t.toLowerCase() === wanted);
  if (tenant === undefined) return { kind: 'unknown' };
  return {
    kind: 'tenant',
    scope: tenantScope(tenant, tenant === fallback, tenants.restricted),
  };
}
