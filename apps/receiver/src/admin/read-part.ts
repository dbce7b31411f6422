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
