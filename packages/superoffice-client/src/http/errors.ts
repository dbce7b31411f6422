import { redactUrl } from './redact';

/**
 * What kind of failure, which tells the caller what to do:
 * - `retryable`: network errors, 429, 5xx, 421 after a re-resolve: try again later (honour retryAfterMs);
 * - `conflict`: 409 (a JSON Patch `test` failed) or 412 (changed since If-Unmodified-Since): the
 *   record changed under us, so read it again before another write;
 * - `not-found`: 404, the record is gone;
 * - `auth`: 401 after one refresh, or a token endpoint refusal;
 * - `permanent`: 400, 403 and anything else that will not improve by retrying.
 */
export type SuperOfficeErrorKind = 'retryable' | 'conflict' | 'not-found' | 'auth' | 'permanent';

export interface SuperOfficeErrorDetails {
  readonly status: number | undefined;
  readonly method: string;
  readonly url: string;
  readonly errorType?: string | undefined;
  readonly errorMessage?: string | undefined;
  readonly requestId?: string | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly kind?: SuperOfficeErrorKind;
  readonly cause?: unknown;
}

export function kindForStatus(status: number | undefined): SuperOfficeErrorKind {
  if (status === undefined) return 'retryable';
  if (status === 429 || status === 421 || status >= 500) return 'retryable';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 404) return 'not-found';
  if (status === 401) return 'auth';
  return 'permanent';
}

/**
 * The one error the client throws. URL query secrets are redacted before the error exists, and no
 * header or body of the request is kept, so no logger or error page can leak a token.
 */
export class SuperOfficeError extends Error {
  override readonly name = 'SuperOfficeError';
  /** HTTP status; undefined for network errors and timeouts. */
  readonly status: number | undefined;
  readonly method: string;
  /** The request URL with secrets redacted. */
  readonly url: string;
  /** SuperOffice's `ErrorType`, e.g. `SoNotFoundException`. */
  readonly errorType: string | undefined;
  /** SuperOffice's `ErrorMessage`. */
  readonly errorMessage: string | undefined;
  /** The response's request id header, for SuperOffice support. */
  readonly requestId: string | undefined;
  /** From `Retry-After`, when the response had one. */
  readonly retryAfterMs: number | undefined;
  readonly kind: SuperOfficeErrorKind;

  constructor(details: SuperOfficeErrorDetails) {
    const url = redactUrl(details.url);
    const what = details.status === undefined ? 'network error' : `HTTP ${details.status}`;
    const why =
      details.errorMessage ?? (details.cause instanceof Error ? details.cause.message : undefined);
    super(`[superoffice-client] ${details.method} ${url} failed: ${what}${why ? ` (${why})` : ''}`);
    this.status = details.status;
    this.method = details.method;
    this.url = url;
    this.errorType = details.errorType;
    this.errorMessage = details.errorMessage;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.kind = details.kind ?? kindForStatus(details.status);
  }

  get retryable(): boolean {
    return this.kind === 'retryable';
  }

  /** 409/412: read the record again before writing. */
  get conflict(): boolean {
    return this.kind === 'conflict';
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
