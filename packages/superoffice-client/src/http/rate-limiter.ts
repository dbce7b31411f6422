/**
 * Spaces calls so that no more than `perSecond` start in any second (a leaky bucket, per process).
 * SuperOffice publishes no numbers but reserves the right to throttle; a self-imposed 10/s is what
 * a public SDK uses (superoffice-api.md 7.1).
 */
export function createRateLimiter(perSecond: number): () => Promise<void> {
  const interval = 1000 / perSecond;
  let next = 0;
  return () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + interval;
    const wait = at - now;
    return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
  };
}
