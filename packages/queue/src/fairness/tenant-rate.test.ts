import { TenantRateTracker } from './tenant-rate';

describe('TenantRateTracker', () => {
  it('counts a tenant over the sliding window, each tenant apart', () => {
    const rate = new TenantRateTracker({ windowMs: 60_000, buckets: 6 });
    const t0 = 1_000_000_000_000;
    expect(rate.record('Cust1', 1, t0)).toBe(1);
    expect(rate.record('Cust1', 4, t0 + 5_000)).toBe(5);
    expect(rate.record('Cust2', 1, t0 + 5_000)).toBe(1);
    expect(rate.count('Cust1', t0 + 30_000)).toBe(5);
    expect(rate.count('Cust3', t0)).toBe(0);
  });

  it('forgets events once their bucket leaves the window', () => {
    const rate = new TenantRateTracker({ windowMs: 60_000, buckets: 6 });
    const t0 = 1_000_000_000_000; // a bucket boundary (a multiple of 10 s)
    rate.record('Cust1', 10, t0);
    rate.record('Cust1', 3, t0 + 30_000);
    expect(rate.count('Cust1', t0 + 59_999)).toBe(13);
    expect(rate.count('Cust1', t0 + 60_000)).toBe(3);
    // A slot reused after a full turn starts from 0, not from the old bucket's count.
    expect(rate.record('Cust1', 1, t0 + 120_000)).toBe(1);
    expect(rate.count('Cust1', t0 + 200_000)).toBe(0);
  });

  it('tracks at most maxTenants tenants, dropping the least recently seen', () => {
    const rate = new TenantRateTracker({ maxTenants: 2 });
    const now = 1_000_000_000_000;
    rate.record('A', 1, now);
    rate.record('B', 1, now);
    rate.record('A', 1, now); // A is now the most recently seen
    rate.record('C', 1, now);
    expect(rate.size).toBe(2);
    expect(rate.count('A', now)).toBe(2);
    expect(rate.count('B', now)).toBe(0);
    expect(rate.count('C', now)).toBe(1);
  });
});
