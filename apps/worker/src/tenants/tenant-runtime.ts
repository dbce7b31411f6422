import { createProvider, type EnrichmentProvider } from '@so-connector/enrichment';
import { parseOwnerScope, type OwnerScope } from '@so-connector/filters';
import type { Logger } from '@so-connector/logger';
import type { CallRecord, SuperOfficeClient } from '@so-connector/superoffice-client';
import type { TenantConfig } from '@so-connector/tenants';
import type { WorkerMetrics } from '../metrics';
import { learnOwnAssociate } from '../own-associate';
import { createUdfTargets, type UdfTargets, type UdfTargetsOptions } from '../udf-targets';
import type { TenantBudgets } from '@so-connector/queue';
import { withProviderPause } from './provider-pause';
import { superOfficeBudgetGate, superOfficeSpentUntil, withProviderBudget } from './tenant-budget';
import { createTenantClient, type AppSettings } from './tenant-client';
import type { TenantPauses } from './tenant-pause';

/** What the processors need of one tenant: built from its TenantConfig, never from a global. */
export interface TenantRuntime {
  readonly tenant: TenantConfig;
  readonly client: SuperOfficeClient;
  readonly provider: EnrichmentProvider;
  readonly targets: UdfTargets;
  readonly ownerScope: OwnerScope | undefined;
  /**
   * With a SuperOffice budget: when its next call may be made, if this minute's budget is known
   * spent (TenantBudgets.spentUntil), so a job can wait before doing anything.
   */
  readonly superOfficeSpentUntil?: (() => Promise<number | undefined>) | undefined;
  /** The API user's associate id in this tenant: events it caused are the connector's echoes. */
  ownAssociateId(): number;
  /** Stops the tenant's timers (the own associate refresh). */
  stop(): void;
}

export interface TenantRuntimeDeps {
  readonly app: AppSettings;
  /** Per-tenant budgets (TenantConfig.budget), shared by every worker process. */
  readonly budgets: TenantBudgets;
  /** Retry-After pauses: a provider's is shared by every tenant with the same credential. */
  readonly pauses?: TenantPauses;
  readonly ownAssociateRefreshMs: number;
  readonly metrics: WorkerMetrics;
  readonly logger: Logger;
  readonly udfTargets?: Pick<UdfTargetsOptions, 'listRetryMinMs' | 'listRetryMaxMs'>;
  readonly onSuperOfficeCall?: (call: CallRecord, tenant: string) => void;
}

/**
 * Builds one tenant's runtime: its SuperOffice client (own token cache, URL and rate limit), its own
 * associate (learned from currentPrincipal unless configured, so this may call SuperOffice), its UDF
 * targets and lists, owner scope and provider. Rejects when the client cannot be made
 * (TenantCredentialsError) or the own associate cannot be learned.
 */
export async function buildTenantRuntime(
  tenant: TenantConfig,
  deps: TenantRuntimeDeps,
): Promise<TenantRuntime> {
  const ctx = tenant.contextIdentifier;
  const logger = deps.logger.child({ tenant: ctx });
  const client = createTenantClient(
    tenant,
    deps.app,
    (call) => {
      deps.metrics.superOfficeCall(call, ctx);
      deps.onSuperOfficeCall?.(call, ctx);
    },
    superOfficeBudgetGate(tenant, deps.budgets),
  );
  const own = await learnOwnAssociate({
    client,
    configured: tenant.ownAssociateId,
    refreshMs: deps.ownAssociateRefreshMs,
    logger,
  });
  return {
    tenant,
    client,
    provider: providerOf(tenant, deps),
    targets: createUdfTargets(client, tenant.udf, { ...deps.udfTargets, logger }),
    ownerScope: parseOwnerScope(tenant.ownerScope),
    superOfficeSpentUntil: superOfficeSpentUntil(tenant, deps.budgets),
    ownAssociateId: () => own.current(),
    stop: () => own.stop(),
  };
}

/**
 * The tenant's provider: its budget taken before each call, the calls counted, and (outermost, so
 * a call not made is neither counted nor taken from the budget) its credential's Retry-After.
 */
function providerOf(tenant: TenantConfig, deps: TenantRuntimeDeps): EnrichmentProvider {
  const ctx = tenant.contextIdentifier;
  const counted = deps.metrics.instrument(
    withProviderBudget(createProvider(tenant.provider), tenant, deps.budgets),
    ctx,
  );
  return deps.pauses ? withProviderPause(counted, ctx, tenant.provider, deps.pauses) : counted;
}
