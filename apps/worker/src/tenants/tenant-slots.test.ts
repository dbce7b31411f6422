import {
  mayStart,
  SLOT_RETRY_HORIZON_MS,
  SLOT_RETRY_MAX_MS,
  SLOT_RETRY_MIN_MS,
  slotRetryStepMs,
  TenantSlots,
  type SlotTake,
} from './tenant-slots';

const granted = (take: SlotTake) => {
  if (!take.granted) throw new Error(`expected a slot, got retryAt ${take.retryAt}`);
  return take;
};
const refused = (take: SlotTake) => {
  if (take.granted) throw new Error('expected no slot');
  return take;
};

describe('mayStart', () => {
  const base = { inFlight: 2, cap: 2, concurrency: 4, tenants: 3 };

  it('refuses a tenant at its cap while other tenants are registered', () => {
    expect(mayStart(base)).toBe(false);
    expect(mayStart({ ...base, inFlight: 1 })).toBe(true);
    expect(mayStart({ ...base, inFlight: 3 })).toBe(false);
  });

  it('never caps the only tenant', () => {
    expect(mayStart({ ...base, tenants: 1 })).toBe(true);
    expect(mayStart({ ...base, tenants: 0 })).toBe(true);
  });

  it('is off at 0 and at or above the concurrency', () => {
    expect(mayStart({ ...base, cap: 0 })).toBe(true);
    expect(mayStart({ ...base, cap: 4, inFlight: 4 })).toBe(true);
    expect(mayStart({ ...base, cap: 9, inFlight: 4 })).toBe(true);
  });
});

describe('slotRetryStepMs', () => {
  it("is the tenant's oldest running job's age over the cap, within bounds", () => {
    expect(slotRetryStepMs(3000, 2)).toBe(1500);
    expect(slotRetryStepMs(0, 2)).toBe(SLOT_RETRY_MIN_MS);
    expect(slotRetryStepMs(10 * 60_000, 1)).toBe(SLOT_RETRY_MAX_MS);
  });
});

describe('TenantSlots', () => {
  const slots = (cap: number, tenants = 2) =>
    new TenantSlots({ cap, concurrency: 4, tenants: () => tenants });

  it('gives a tenant up to its cap, then tells the next job when to come back', () => {
    const sut = slots(2);
    granted(sut.take('A', 1000));
    granted(sut.take('A', 1000));
    expect(sut.inFlight('A')).toBe(2);
    // The oldest of A's jobs has run 3 s: one of its two slots frees about every 1.5 s.
    expect(refused(sut.take('A', 4000)).retryAt).toBe(5500);
    // Another tenant is not affected.
    granted(sut.take('B', 4000));
    expect(sut.inFlight('B')).toBe(1);
  });

  it('spreads turned-away jobs one step apart', () => {
    const sut = slots(1);
    granted(sut.take('A', 0));
    const times = [1, 2, 3].map(() => refused(sut.take('A', 2000)).retryAt);
    expect(times).toEqual([4000, 6000, 8000]);
  });

  it('never sends a job further out than the horizon', () => {
    const sut = slots(1);
    granted(sut.take('A', 0));
    const times = Array.from({ length: 20 }, () => refused(sut.take('A', 30_000)).retryAt);
    expect(Math.max(...times)).toBe(30_000 + SLOT_RETRY_HORIZON_MS);
  });

  it('frees a slot on release (once, however often release is called)', () => {
    const sut = slots(1);
    const first = granted(sut.take('A', 0));
    refused(sut.take('A', 10));
    first.release();
    first.release();
    expect(sut.inFlight('A')).toBe(0);
    const second = granted(sut.take('A', 20));
    refused(sut.take('A', 30));
    second.release();
    expect(sut.inFlight('A')).toBe(0);
  });

  it('forgets a tenant once its jobs ended and its turned-away jobs are due', () => {
    const sut = slots(1);
    const job = granted(sut.take('A', 0));
    const { retryAt } = refused(sut.take('A', 100));
    job.release();
    expect(sut.tracked()).toBe(1);
    granted(sut.take('A', retryAt)).release();
    expect(sut.tracked()).toBe(0);
  });

  it('does not cap the only registered tenant', () => {
    const sut = slots(1, 1);
    for (let i = 0; i < 4; i++) granted(sut.take('A', 0));
    expect(sut.inFlight('A')).toBe(4);
  });
});
