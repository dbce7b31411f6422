import { BACKFILL_PRIORITY } from '../schedule-enrichment';
import { fairPriority, MAX_FLOOD_PRIORITY } from './fair-priority';

describe('fairPriority', () => {
  it('gives no priority (the normal FIFO) up to the quiet limit', () => {
    expect(fairPriority(0, 100)).toBeUndefined();
    expect(fairPriority(100, 100)).toBeUndefined();
  });

  it('puts a flood behind quiet tenants, a bigger flood behind a smaller one', () => {
    expect(fairPriority(101, 100)).toBe(1);
    expect(fairPriority(199, 100)).toBe(1);
    expect(fairPriority(200, 100)).toBe(2);
    expect(fairPriority(20_000, 100)).toBe(8);
  });

  it('keeps every flood ahead of backfills', () => {
    expect(fairPriority(Number.MAX_SAFE_INTEGER, 1)).toBe(MAX_FLOOD_PRIORITY);
    expect(MAX_FLOOD_PRIORITY).toBeLessThan(BACKFILL_PRIORITY);
  });

  it('is off for a deployment of one tenant', () => {
    expect(fairPriority(20_000, 100, 1)).toBeUndefined();
    expect(fairPriority(20_000, 100, 2)).toBe(8);
  });

  it('is off with a quiet limit of 0', () => {
    expect(fairPriority(1_000_000, 0)).toBeUndefined();
  });
});
