import { createRateLimiter } from './rate-limiter';

describe('createRateLimiter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('lets the first call through and spaces the next ones 1000/perSecond ms apart', async () => {
    const sut = createRateLimiter(10);
    const started: number[] = [];
    const calls = Array.from({ length: 5 }, () => sut().then(() => started.push(Date.now())));
    await jest.advanceTimersByTimeAsync(1000);
    await Promise.all(calls);
    expect(started).toEqual([0, 100, 200, 300, 400]);
  });
});
