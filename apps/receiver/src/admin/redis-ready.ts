import type { Cluster, Redis } from 'ioredis';

/**
 * Resolves once the connection is ready: at once when it is, else on its next `ready` event. The
 * admin connection does not queue commands while disconnected (it fails fast, like the webhook's),
 * so a page read waits for this first, bounded by the page's own timeout. One shared promise, so
 * requests made while Redis is down do not pile up listeners.
 */
export function whenReady(redis: Redis | Cluster): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    if (redis.status === 'ready') return Promise.resolve();
    pending ??= new Promise<void>((resolve) => {
      redis.once('ready', () => {
        pending = undefined;
        resolve();
      });
    });
    return pending;
  };
}
