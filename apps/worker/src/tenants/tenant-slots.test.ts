import {
  mayStart,
  SLOT_RETRY_MAX_MS,
  SLOT_RETRY_MIN_MS,
  SLOT_RETURN_HORIZON_MS,
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

  it('schedules no turned-away job past the horizon, the backstop when no freed slot pulls it', () => {
    const sut = slots(1);
    granted(sut.take('A', 0));
    const times = Array.from({ length: 200 }, () => refused(sut.take('A', 30_000)).retryAt);
    const horizon = 30_000 + SLOT_RETURN_HORIZON_MS;
    expect(Math.max(...times)).toBe(horizon);
    // One step apart up to the horizon (60 steps of 10 s), then all at it.
    expect(times.indexOf(horizon)).toBe(SLOT_RETURN_HORIZON_MS / SLOT_RETRY_MAX_MS - 1);
    expect(times.slice(60).every((t) => t === horizon)).toBe(true);
  });

  it('keeps turned-away jobs one step apart however long the backlog, within the horizon', () => {
    const sut = slots(1);
    granted(sut.take('A', 0));
    const times = Array.from({ length: 20 }, () => refused(sut.take('A', 30_000)).retryAt);
    expect(times[0]).toBe(30_000 + SLOT_RETRY_MAX_MS);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(Array(19).fill(SLOT_RETRY_MAX_MS));
  });

  /**
   * A tenant whose one slot hangs for the whole window, with `backlog` jobs behind the cap: every
   * job comes back when told and is turned away again (virtual time, the real TenantSlots). How
   * many fetches its returns cost between 1 and 3 minutes after the backlog arrived.
   */
  function fetchesInWindow(backlog: number): number {
    const sut = slots(1);
    granted(sut.take('A', 0)); // hangs
    const arrived = 30_000;
    // Retry times never decrease (each is at least the last one), so a FIFO is the delayed set.
    const due: { id: string; at: number }[] = [];
    for (let i = 0; i < backlog; i++) due.push({ id: `j${i}`, at: arrived });
    const from = arrived + 60_000;
    const to = arrived + 180_000;
    let fetches = 0;
    for (let next = due.shift(); next && next.at < to; next = due.shift()) {
      if (next.at >= from) fetches++;
      due.push({ id: next.id, at: refused(sut.take('A', next.at, next.id)).retryAt });
    }
    return fetches;
  }

  it('costs a bounded number of fetches over a window, whatever the backlog behind the cap', () => {
    // One return a step (10 s: the hanging job is older than 10 s), not the backlog once a minute.
    expect(fetchesInWindow(10_000)).toBe(12);
    expect(fetchesInWindow(100)).toBe(12);
  });

  it("pulls the tenant's earliest turned-away job forward when one of its slots frees up", () => {
    const sut = slots(1);
    const first = granted(sut.take('A', 0));
    const times = ['j1', 'j2', 'j3'].map((id) => refused(sut.take('A', 2000, id)).retryAt);
    expect(times).toEqual([4000, 6000, 8000]);
    expect(first.release(2500)?.id).toBe('j1');
    // j1 is brought forward and runs; when it ends, j2 is next.
    expect(granted(sut.take('A', 2600, 'j1')).release(2700)?.id).toBe('j2');
    // j3 comes back at 8000: a slot freed just before needs no pull.
    expect(granted(sut.take('A', 2800, 'j2')).release(7900)).toBeUndefined();
    granted(sut.take('A', 8000, 'j3')).release(8100);
    expect(sut.tracked()).toBe(0);
  });

  it('forgets turned-away jobs that came back elsewhere', () => {
    const sut = slots(1);
    const first = granted(sut.take('A', 0));
    refused(sut.take('A', 1000, 'gone')); // comes back at 2000, taken by another process
    const { retryAt } = refused(sut.take('A', 1000, 'later'));
    expect(first.release(retryAt - 1000)?.id).toBe('later');
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

  it('pulls past the jobs due within a moment only while they leave one of its slots free', () => {
    // Cap 3 of 4; three running since 0: at 300 ms, 100 ms per slot, clamped to the 250 ms step.
    const sut = slots(3);
    const running = [0, 0, 0].map(() => granted(sut.take('A', 0)));
    const times = ['j1', 'j2', 'j3'].map((id) => refused(sut.take('A', 300, id)).retryAt);
    expect(times).toEqual([550, 800, 1050]);
    // At 400: one slot free, and j1 comes back within a moment to take it: nothing to pull.
    expect(running[0]!.release(400)).toBeUndefined();
    // Two slots free and still only j1 due within the moment: the next after it is pulled.
    expect(running[1]!.release(410)?.id).toBe('j2');
    // Told to wait (its budget): the freed slot pulls nothing, j3 keeps its time.
    expect(running[2]!.release(420, false)).toBeUndefined();
    expect(granted(sut.take('A', 430, 'j2')).release(440)?.id).toBe('j3');
  });

  it('holds a new job back for its turn while the tenant runs its share or has jobs turned away', () => {
    const sut = slots(1);
    // Nothing of A runs here: a new job starts as soon as it is taken up.
    expect(sut.holdBack('A', 0)).toBeUndefined();
    const first = granted(sut.take('A', 0));
    // A runs its one slot, for 2 s now: the next job's turn is a step (2 s) out.
    expect(sut.holdBack('A', 2000)).toBe(4000);
    // Once added, the held job is pulled forward by a freed slot like a turned-away one.
    sut.track('A', 'held', 4000);
    // The turn is taken: the next one is a step later, and a turned-away job comes after both.
    expect(sut.holdBack('A', 2000)).toBe(6000);
    expect(refused(sut.take('A', 2000, 'late')).retryAt).toBe(8000);
    // Within the debounce (9 s) the job waits anyway: no hold, and no turn taken.
    expect(sut.holdBack('A', 2000, 9000)).toBeUndefined();
    expect(refused(sut.take('A', 2000)).retryAt).toBe(10_000);
    // B is not held for A's share.
    expect(sut.holdBack('B', 2000)).toBeUndefined();
    expect(first.release(2500)?.id).toBe('held');
    expect(granted(sut.take('A', 2600, 'held')).release(2700)?.id).toBe('late');
  });

  it('holds nothing back while the tenant may start a job and none waits for its turn', () => {
    const sut = slots(2);
    const one = granted(sut.take('A', 0));
    expect(sut.holdBack('A', 1000)).toBeUndefined();
    granted(sut.take('A', 0));
    expect(sut.holdBack('A', 1000)).toBe(1500);
    // A slot frees, but a job of A waits for its turn at 1500: the new one queues behind it.
    one.release(1100, false);
    expect(sut.holdBack('A', 1100)).toBe(2050);
    // The only registered tenant is never held.
    const only = slots(1, 1);
    granted(only.take('A', 0));
    expect(only.holdBack('A', 1000)).toBeUndefined();
  });

  it('does not cap the only registered tenant', () => {
    const sut = slots(1, 1);
    for (let i = 0; i < 4; i++) granted(sut.take('A', 0));
    expect(sut.inFlight('A')).toBe(4);
  });
});
