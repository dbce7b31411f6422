import type { Cluster, Redis } from 'ioredis';
import { LuaScript } from '../lua-script';
import { prefixOfTenant, type TenantKeyPrefixOption } from '../tenant-keys';

/** What a tenant's budget caps (TenantConfig.budget): SuperOffice calls a minute, provider calls an hour. */
export type BudgetKind = 'superoffice' | 'provider';

export const BUDGET_WINDOW_MS: Readonly<Record<BudgetKind, number>> = {
  superoffice: 60_000,
  provider: 3_600_000,
};

export type Reservation =
  | { readonly ok: true; readonly used: number }
  /**
   * Over budget: nothing was taken; try again at `retryAt`, the start of a later window (the next
   * one, or a later one when this window has already refused more than a budget's worth: retryWindow).
   */
  | { readonly ok: false; readonly used: number; readonly retryAt: number };

/**
 * Takes `amount` from the window's counter when it stays within the limit: `{1, used}` (with
 * ARGV[4] = '0' it only says so and takes nothing); else takes nothing, counts the refusal in the
 * window's refusal counter and returns `{0, used, refusals}`.
 */
const RESERVE = new LuaScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if used + amount > tonumber(ARGV[2]) then
  local refused = redis.call('INCR', KEYS[2])
  if refused == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  return {0, used, refused}
end
if ARGV[4] == '0' then return {1, used} end
local now = redis.call('INCRBY', KEYS[1], amount)
if now == amount then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, now}`);

/**
 * When the `refusals`-th refusal of a window (each of `amount` calls) may try again: the next
 * window for the first `limit` calls refused, the one after for the next `limit`, and so on. A
 * tenant far over its budget (a flood deferred by the thousand) thus has its jobs come back a
 * window's worth at a time instead of all of them at every window start, where each would only be
 * refused again (and hold up the other tenants' jobs while the workers turn them round).
 */
export function retryWindow(
  windowStart: number,
  windowMs: number,
  refusals: number,
  amount: number,
  limit: number,
): number {
  const ahead = Math.floor((Math.max(0, refusals - 1) * amount) / Math.max(1, limit));
  return windowStart + windowMs * (1 + ahead);
}

/**
 * Per-tenant spending caps shared by every worker process: one counter per tenant, kind and fixed
 * window (the clock minute or hour), taken atomically before each call, so the calls made in a
 * window never exceed the budget whatever the number of workers. A refused reservation says when to
 * try again (retryWindow): the job is deferred to then, not failed.
 */
const memoKey = (tenant: string, kind: BudgetKind) => `${tenant}\n${kind}`;

export class TenantBudgets {
  /** Per tenant and kind, the window in which this process last had a call refused. */
  private readonly refusedIn = new Map<string, number>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: TenantKeyPrefixOption,
  ) {}

  private refusalsKey(tenant: string, kind: BudgetKind, windowStart: number): string {
    return `${this.key(tenant, kind, windowStart)}:refused`;
  }

  private key(tenant: string, kind: BudgetKind, windowStart: number): string {
    return `${prefixOfTenant(this.prefix, tenant)}:budget:${tenant}:${kind}:${windowStart}`;
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
    return this.run(tenant, kind, limit, amount, now, true);
  }

  /**
   * Before a job's first call: once this process has had a call of the tenant refused in the
   * current window, whether the budget is still spent; if so the refusal is counted as `reserve`
   * counts it and the job can wait for the returned time (the same spread) at once, without the
   * work it would do before its first call. Without such a refusal (or a budget): undefined,
   * without asking Redis, so a tenant within its budget pays nothing for this.
   */
  async spentUntil(
    tenant: string,
    kind: BudgetKind,
    limit: number | undefined,
    now = Date.now(),
  ): Promise<number | undefined> {
    if (limit === undefined) return undefined;
    if (this.refusedIn.get(memoKey(tenant, kind)) !== this.window(kind, now)) return undefined;
    const reservation = await this.run(tenant, kind, limit, 1, now, false);
    if (reservation.ok) this.refusedIn.delete(memoKey(tenant, kind));
    return reservation.ok ? undefined : reservation.retryAt;
  }

  /** RESERVE for `amount` calls (taken only with `take`); a refusal is remembered for spentUntil. */
  private async run(
    tenant: string,
    kind: BudgetKind,
    limit: number,
    amount: number,
    now: number,
    take: boolean,
  ): Promise<Reservation> {
    const start = this.window(kind, now);
    const size = BUDGET_WINDOW_MS[kind];
    const [ok, used, refusals] = (await RESERVE.run(
      this.redis,
      [this.key(tenant, kind, start), this.refusalsKey(tenant, kind, start)],
      [amount, limit, 2 * size, take ? 1 : 0],
    )) as [number, number, number?];
    if (ok === 1) return { ok: true, used: Number(used) };
    this.refusedIn.set(memoKey(tenant, kind), start);
    return {
      ok: false,
      used: Number(used),
      retryAt: retryWindow(start, size, Number(refusals ?? 1), amount, limit),
    };
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
