import { Redis } from 'ioredis';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { BudgetExceededError, TenantBudgets } from '../src';

let redis: TestRedis;
const connections: Redis[] = [];
beforeAll(async () => {
  redis = await useTestRedis();
});
afterAll(async () => {
  connections.forEach((c) => c.disconnect());
  await redis.cleanup();
});

function budgets(prefix: string): TenantBudgets {
  const connection = new Redis(redis.url);
  connections.push(connection);
  return new TenantBudgets(connection, prefix);
}

const MINUTE = 60_000;
const T0 = 1_800_000_000_000; // a whole minute and a whole hour

describe('TenantBudgets', () => {
  it('grants calls up to the limit, then refuses until the next window', async () => {
    const b = budgets(`${redis.prefix}-a`);
    for (let i = 1; i <= 3; i++) {
      expect(await b.reserve('Cust1', 'superoffice', 3, 1, T0 + 10)).toEqual({ ok: true, used: i });
    }
    expect(await b.reserve('Cust1', 'superoffice', 3, 1, T0 + 20)).toEqual({
      ok: false,
      used: 3,
      retryAt: T0 + MINUTE,
    });
    // Another tenant and another kind have budgets of their own.
    expect(await b.reserve('Cust2', 'superoffice', 3, 1, T0 + 20)).toEqual({ ok: true, used: 1 });
    expect(await b.reserve('Cust1', 'provider', 1, 1, T0 + 20)).toEqual({ ok: true, used: 1 });
    // The next minute starts from zero.
    expect(await b.reserve('Cust1', 'superoffice', 3, 1, T0 + MINUTE)).toEqual({
      ok: true,
      used: 1,
    });
    expect(await b.used('Cust1', 'superoffice', T0 + MINUTE)).toBe(1);
  });

  it('never grants more than the limit to many processes reserving at once', async () => {
    const processes = [1, 2, 3, 4].map(() => budgets(`${redis.prefix}-b`));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        processes[i % processes.length]!.reserve('Cust1', 'provider', 50, 1, T0 + 5),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(await processes[0]!.used('Cust1', 'provider', T0 + 5)).toBe(50);
  });

  it('defers a flood a window at a time: the refusals past a budget-worth go to later windows', async () => {
    const b = budgets(`${redis.prefix}-d`);
    for (let i = 0; i < 2; i++) await b.reserve('Cust1', 'superoffice', 2, 1, T0 + 1);
    const refused = [];
    for (let i = 0; i < 5; i++) refused.push(await b.reserve('Cust1', 'superoffice', 2, 1, T0 + 2));
    expect(refused.map((r) => (r.ok ? 'ok' : r.retryAt - T0))).toEqual([
      MINUTE,
      MINUTE,
      2 * MINUTE,
      2 * MINUTE,
      3 * MINUTE,
    ]);
    // Refusals are counted per window: the next window's first refusal goes to the window after it.
    for (let i = 0; i < 2; i++) await b.reserve('Cust1', 'superoffice', 2, 1, T0 + MINUTE);
    expect(await b.reserve('Cust1', 'superoffice', 2, 1, T0 + MINUTE + 1)).toEqual({
      ok: false,
      used: 2,
      retryAt: T0 + 2 * MINUTE,
    });
  });

  it('takes nothing for an amount that does not fit, and nothing without a budget', async () => {
    const b = budgets(`${redis.prefix}-c`);
    expect(await b.reserve('Cust1', 'superoffice', 5, 4, T0)).toEqual({ ok: true, used: 4 });
    expect((await b.reserve('Cust1', 'superoffice', 5, 2, T0)).ok).toBe(false);
    expect(await b.used('Cust1', 'superoffice', T0)).toBe(4);
    expect(await b.reserve('Cust1', 'superoffice', undefined, 100, T0)).toEqual({
      ok: true,
      used: 0,
    });
    expect(await b.used('Cust1', 'superoffice', T0)).toBe(4);
  });

  it('spentUntil: asks Redis only after a refusal in this window, then counts refusals as reserve does', async () => {
    const b = budgets(`${redis.prefix}-e`);
    // No refusal seen by this instance: nothing is asked, nothing counted, even with the budget
    // spent by another process.
    const other = budgets(`${redis.prefix}-e`);
    for (let i = 0; i < 2; i++) await other.reserve('Cust1', 'superoffice', 2, 1, T0 + 1);
    expect(await b.spentUntil('Cust1', 'superoffice', 2, T0 + 2)).toBeUndefined();
    // Its own refusal (the first past the budget: the next window), then two more by spentUntil,
    // spread as reserve's would be: a budget-worth per window.
    expect(await b.reserve('Cust1', 'superoffice', 2, 1, T0 + 3)).toMatchObject({
      ok: false,
      retryAt: T0 + MINUTE,
    });
    expect(await b.spentUntil('Cust1', 'superoffice', 2, T0 + 4)).toBe(T0 + MINUTE);
    expect(await b.spentUntil('Cust1', 'superoffice', 2, T0 + 5)).toBe(T0 + 2 * MINUTE);
    expect(await b.reserve('Cust1', 'superoffice', 2, 1, T0 + 6)).toMatchObject({
      retryAt: T0 + 2 * MINUTE,
    });
    expect(await b.used('Cust1', 'superoffice', T0 + 6)).toBe(2); // nothing taken
    // Another tenant, another kind, the next window: not known spent.
    expect(await b.spentUntil('Cust2', 'superoffice', 2, T0 + 7)).toBeUndefined();
    expect(await b.spentUntil('Cust1', 'provider', 2, T0 + 7)).toBeUndefined();
    expect(await b.spentUntil('Cust1', 'superoffice', 2, T0 + MINUTE)).toBeUndefined();
    expect(await b.spentUntil('Cust1', 'superoffice', undefined, T0 + 8)).toBeUndefined();
  });

  it('spentUntil: a budget raised within the window lets the next job through, and forgets the refusal', async () => {
    const b = budgets(`${redis.prefix}-f`);
    await b.reserve('Cust1', 'superoffice', 1, 1, T0 + 1);
    expect((await b.reserve('Cust1', 'superoffice', 1, 1, T0 + 2)).ok).toBe(false);
    expect(await b.spentUntil('Cust1', 'superoffice', 5, T0 + 3)).toBeUndefined();
    expect(await b.used('Cust1', 'superoffice', T0 + 3)).toBe(1);
    // Forgotten: even back at the old limit nothing is asked until the next refusal.
    expect(await b.spentUntil('Cust1', 'superoffice', 1, T0 + 4)).toBeUndefined();
  });

  it('names the tenant, the budget and when it frees up', () => {
    const error = new BudgetExceededError('Cust1', 'provider', T0 + 3_600_000);
    expect(error.message).toBe(
      'tenant Cust1 is over its provider calls per hour budget until 2027-01-15T09:00:00.000Z',
    );
  });
});
