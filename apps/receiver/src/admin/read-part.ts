import type { Logger } from '@so-connector/logger';
import { withTimeout } from '../with-timeout';
import type { Part } from './pages/dashboard.page';

/**
 * Runs one Redis read for a page, bounded in time. A failure (Redis down, slow, a parse error) is
 * logged and returned as `{ ok: false }`, so the page shows what it could read and a banner.
 */
export async function readPart<T>(
  what: string,
  read: () => Promise<T>,
  timeoutMs: number,
  logger: Logger,
): Promise<Part<T>> {
  try {
    const value = await withTimeout(
      read(),
      timeoutMs,
      () => new Error(`timed out after ${timeoutMs} ms`),
    );
    return { ok: true, value };
  } catch (error) {
    logger.warn('admin page could not read from Redis', {
      what,
      error: error instanceof Error ? error.message : String(error),
    });
    return { ok: false };
  }
}

export interface PageReadDeps {
  readonly logger: Logger;
  /** Resolves when the admin Redis connection is ready; a read waits for it, within its bound. */
  readonly redisReady: () => Promise<void>;
  readonly readTimeoutMs: number;
}

/** A page's reader: each read waits for the connection, then runs, all within the page's bound. */
export function pageReader(deps: PageReadDeps) {
  return <T>(what: string, read: () => Promise<T>): Promise<Part<T>> =>
    readPart(
      what,
      async () => {
        await deps.redisReady();
        return read();
      },
      deps.readTimeoutMs,
      deps.logger,
    );
}
