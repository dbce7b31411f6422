import { BUDGET_WINDOW_MS, retryWindow } from './tenant-budget';

const MINUTE = BUDGET_WINDOW_MS.superoffice;
const T0 = 1_800_000_000_000; // a whole minute

describe('retryWindow', () => {
  it('sends the first budget-worth of refusals of a window to the next window', () => {
    expect(retryWindow(T0, MINUTE, 1, 1, 600)).toBe(T0 + MINUTE);
    expect(retryWindow(T0, MINUTE, 600, 1, 600)).toBe(T0 + MINUTE);
  });

  it('sends each further budget-worth one window later, so a flood comes back a window at a time', () => {
    expect(retryWindow(T0, MINUTE, 601, 1, 600)).toBe(T0 + 2 * MINUTE);
    expect(retryWindow(T0, MINUTE, 1200, 1, 600)).toBe(T0 + 2 * MINUTE);
    expect(retryWindow(T0, MINUTE, 1201, 1, 600)).toBe(T0 + 3 * MINUTE);
    expect(retryWindow(T0, MINUTE, 20_000, 1, 600)).toBe(T0 + 34 * MINUTE);
  });

  it('counts refusals of several calls each by their calls', () => {
    expect(retryWindow(T0, MINUTE, 3, 2, 4)).toBe(T0 + 2 * MINUTE);
    expect(retryWindow(T0, MINUTE, 2, 2, 4)).toBe(T0 + MINUTE);
  });

  it('never sends a refusal back into the current window', () => {
    expect(retryWindow(T0, MINUTE, 0, 1, 1)).toBe(T0 + MINUTE);
    expect(retryWindow(T0, MINUTE, 5, 1, 0)).toBeGreaterThan(T0);
  });
});
