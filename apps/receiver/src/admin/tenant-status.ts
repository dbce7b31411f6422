import type { Cluster, Redis } from 'ioredis';
import {
  BUDGET_WINDOW_MS,
  prefixOfTenant,
  TenantBudgets,
  type BudgetKind,
  type TenantKeyPrefixOption,
} from '@so-connector/queue';
import {
  readReconsentMarks,
  readTenantPause,
  type ReconsentMark,
  type TenantBudget,
  type TenantPause,
} from '@so-connector/tenants';
import { readLastEvents } from './last-events';

/** One budget of a tenant in the current window: calls used of the limit. */
export interface BudgetUse {
  readonly kind: BudgetKind;
  readonly used: number;
  readonly limit: number;
  /** When the window ends (and the count starts again), ISO. */
  readonly resetsAt: string;
}

/** What `/admin/tenants` and a tenant's page say about the tenant beyond its runs. */
export interface TenantStatus {
  /** Set while the worker holds the tenant's jobs: SuperOffice refused its credential. */
  readonly reconsent: ReconsentMark | undefined;
  /** When the receiver last put one of its webhook events on the queue (ISO). */
  readonly lastEventAt: string | undefined;
  /** Only the budgets the tenant has (TenantConfig.budget); none = no cap. */
  readonly budgets: readonly BudgetUse[];
  /** Set while a Retry-After of SuperOffice or the provider holds the tenant's jobs. */
  readonly pause: TenantPause | undefined;
}

export interface TenantStatusReader {
  read(
    tenants: readonly string[],
    budgetOf: (tenant: string) => TenantBudget | undefined,
    nowMs?: number,
  ): Promise<Map<string, TenantStatus>>;
}

const LIMITS: readonly { kind: BudgetKind; key: keyof TenantBudget }[] = [
  { kind: 'superoffice', key: 'superofficeCallsPerMinute' },
  { kind: 'provider', key: 'providerCallsPerHour' },
];

/** The budgets a tenant has, each with the calls used in its current window. */
async function budgetUse(
  budgets: TenantBudgets,
  tenant: string,
  budget: TenantBudget | undefined,
  nowMs: number,
): Promise<BudgetUse[]> {
  const limited = LIMITS.flatMap(({ kind, key }) => {
    const limit = budget?.[key];
    return limit === undefined ? [] : [{ kind, limit }];
  });
  return Promise.all(
    limited.map(async ({ kind, limit }) => {
      const size = BUDGET_WINDOW_MS[kind];
      const resetsAt = new Date(Math.floor(nowMs / size) * size + size).toISOString();
      return { kind, limit, used: await budgets.used(tenant, kind, nowMs), resetsAt };
    }),
  );
}

/**
 * Reads re-consent marks, last events and budget use of many tenants (a few Redis round trips):
 * the marks and last events under QUEUE_PREFIX (`prefix`), budgets and pauses each under its
 * tenant's prefix (`tenantPrefix`, its partition's: tenant-keys.ts).
 */
export function tenantStatusReader(
  redis: Redis | Cluster,
  prefix: string,
  tenantPrefix: TenantKeyPrefixOption = prefix,
): TenantStatusReader {
  const budgets = new TenantBudgets(redis, tenantPrefix);
  return {
    async read(tenants, budgetOf, nowMs = Date.now()) {
      const [marks, lastEvents, uses, pauses] = await Promise.all([
        readReconsentMarks(redis, prefix, tenants),
        readLastEvents(redis, prefix, tenants),
        Promise.all(tenants.map((t) => budgetUse(budgets, t, budgetOf(t), nowMs))),
        Promise.all(
          tenants.map((t) => readTenantPause(redis, prefixOfTenant(tenantPrefix, t), t, nowMs)),
        ),
      ]);
      return new Map(
        tenants.map((t, i) => [
          t,
          {
            reconsent: marks.get(t),
            lastEventAt: lastEvents.get(t),
            budgets: uses[i]!,
            pause: pauses[i],
          },
        ]),
      );
    },
  };
}
