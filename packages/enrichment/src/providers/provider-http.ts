import { isAxiosError } from 'axios';
import { ProviderError } from '../errors';

/** An HTTP failure of a provider as a ProviderError; no header, key or body is kept. */
export function toProviderError(provider: string, path: string, error: unknown): ProviderError {
  if (!isAxiosError(error))
    return new ProviderError(
      provider,
      'retryable',
      `${path} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  const status = error.response?.status;
  if (status === undefined) {
    const what =
      error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT'
        ? 'timed out'
        : `network error (${error.code ?? 'unknown'})`;
    return new ProviderError(provider, 'retryable', `${path} ${what}`);
  }
  const retryAfter = Number(error.response?.headers['retry-after']);
  const retryAfterMs = Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined;
  const kind = status === 429 || status >= 500 ? 'retryable' : 'permanent';
  return new ProviderError(provider, kind, `${path} answered HTTP ${status}`, status, retryAfterMs);
}
