/**
 * - `retryable`: timeouts, network errors, 429 and 5xx from the provider: try again later;
 * - `invalid-output`: the provider answered, but not with a result that fits the schema: never written;
 * - `permanent`: 4xx other than 429 (bad key, bad request): retrying will not help.
 */
export type ProviderErrorKind = 'retryable' | 'invalid-output' | 'permanent';

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly provider: string,
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(`[enrichment:${provider}] ${message}`);
  }

  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}
