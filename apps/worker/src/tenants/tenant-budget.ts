import type { EnrichmentProvider } from '@so-connector/enrichment';
import type { TenantBudgets } from '@so-connector/queue';
import type { TenantConfig } from '@so-connector/tenants';

/**
 * The tenant's provider, each call first taken from its `providerCallsPerHour` budget (shared by
 * every worker process); over budget, the call throws BudgetExceededError before the provider is
 * asked. Without a budget, the provider itself.
 */
export function withProviderBudget(
  provider: EnrichmentProvider,
  tenant: TenantConfig,
  budgets: TenantBudgets,
): EnrichmentProvider {
  const limit = tenant.budget.providerCallsPerHour;
  if (limit === undefined) return provider;
  const take = () => budgets.take(tenant.contextIdentifier, 'provider', limit);
  return {
    name: provider.name,
    enrichCompany: async (company, context) => {
      await take();
      return provider.enrichCompany(company, context);
    },
    personOpener: async (person, company) => {
      await take();
      return provider.personOpener(person, company);
    },
  };
}

/** The gate of the tenant's SuperOffice client: one call of its `superofficeCallsPerMinute`. */
export function superOfficeBudgetGate(
  tenant: TenantConfig,
  budgets: TenantBudgets,
): (() => Promise<void>) | undefined {
  const limit = tenant.budget.superofficeCallsPerMinute;
  if (limit === undefined) return undefined;
  return () => budgets.take(tenant.contextIdentifier, 'superoffice', limit);
}

/**
 * When the tenant's SuperOffice budget is known spent for this minute (TenantBudgets.spentUntil):
 * the time its next call may be made; undefined when a call may fit, or without a budget.
 */
export function superOfficeSpentUntil(
  tenant: TenantConfig,
  budgets: TenantBudgets,
): (() => Promise<number | undefined>) | undefined {
  const limit = tenant.budget.superofficeCallsPerMinute;
  if (limit === undefined) return undefined;
  return () => budgets.spentUntil(tenant.contextIdentifier, 'superoffice', limit);
}
