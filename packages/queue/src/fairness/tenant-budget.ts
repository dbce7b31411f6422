import type { Redis } from 'ioredis';

/** What a tenant's budget caps (TenantConfig.budget): SuperOffice calls a minute, provider calls an hour. */
export type BudgetKind = 'superoffice' | 'provider';

export const BUDGET_WINDOW_MS: Readonly<Record<BudgetKind, number>> = {
  superoffice: 60_000,
  provider: 3_600_000,
};

export type Reservation =
  | { readonly ok: true; readonly used: number }
  /** Over budget: nothing was taken; the window (and the budget) starts again at `retryAt`. */
  | { readonly ok: false; readonly used: number; readonly retryAt: number };

/** Takes `amount` from the window's counter when it stays within the limit; else takes nothing. */
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if used + amount > tonumber(ARGV[2]) then return -1 - used end
local now = redis.call('INCRBY', KEYS[1], amount)
if now == amount then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return now`;

/**
 * Per-tenant spending caps shared by every worker process: one counter per tenant, kind and fixed
 * window (the clock minute or hour), taken atomically before each call, so the calls made in a
 * window never exceed the budget whatever the number of workers. A refused reservation says when
 * the next window starts: the job is deferred to then, not failed.
 */
export class TenantBudgets {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(tenant: string, kind: BudgetKind, windowStart: number): string {
    return `${this.prefix}:budget:${tenant}:${kind}:${windowStart}`;
  }

  private window(kind: BudgetKind, now: number): number {
    const size = BUDGET_WINDOW_MS[kind];
    return Math.floor(now / size) * size;
  }

  /**
   * Takes `amount` calls of the tenant's budget of this kind; `limit` undefined = no budget (always
   * ok, nothing written).
   */
  async reserve(
    tenant: string,
    kind: BudgetKind,
    limit: number | undefined,
    amount = 1,
    now = Date.now(),
  ): Promise<Reservation> {
    if (limit === undefined) return { ok: true, used: 0 };
    const start = this.window(kind, now);
    const size = BUDGET_WINDOW_MS[kind];
    const result = Number(
      await this.redis.eval(RESERVE, 1, this.key(tenant, kind, start), amount, limit, 2 * size),
    );
    return result < 0
      ? { ok: false, used: -1 - result, retryAt: start + size }
      : { ok: true, used: result };
  }

  /**
   * Takes one call of the tenant's budget, or throws BudgetExceededError (when the budget frees
   * up) without taking anything. No budget (`limit` undefined): no Redis call at all.
   */
  async take(tenant: string, kind: BudgetKind, limit: number | undefined): Promise<void> {
    if (limit === undefined) return;
    const reservation = await this.reserve(tenant, kind, limit);
    if (!reservation.ok) throw new BudgetExceededError(tenant, kind, reservation.retryAt);
  }

  /** Calls of this kind the tenant made in the current window (for the dashboard). */
  async used(tenant: string, kind: BudgetKind, now = Date.now()): Promise<number> {
    const value = await this.redis.get(this.key(tenant, kind, this.window(kind, now)));
    return value === null ? 0 : Number(value);
  }
}

/** Thrown by a call a tenant's budget refused: the job is deferred to `retryAt`, not failed. */
export class BudgetExceededError extends Error {
  constructor(
    readonly tenant: string,
    readonly kind: BudgetKind,
    readonly retryAt: number,
  ) {
    super(
      `tenant ${tenant} is over its ${kind === 'superoffice' ? 'SuperOffice calls per minute' : 'provider calls per hour'} budget until ${new Date(retryAt).toISOString()}`,
    );
    this.name = 'BudgetExceededError';
  }
}
