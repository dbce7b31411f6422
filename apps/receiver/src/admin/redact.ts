import { createRedactor, REDACTED } from '@so-connector/logger';

export { REDACTED };

/**
 * Keys whose values the admin UI never shows. A superset of the logger's list: job data and
 * results are shown whole, so session and credential fields are hidden too.
 */
const SENSITIVE_KEY =
  /secret|token|password|passwd|signature|authorization|api[-_]?key|cookie|credential|private[-_]?key|session/i;

/** `Bearer eyJ…`, `Basic dXNlcjpw…` in error messages and stack traces. */
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*/gi;

/** `token=…`, `api_key: …`, `"client_secret":"…"` inside free text (URLs, JSON in messages). */
const KEY_VALUE =
  /\b([A-Za-z_-]*(?:secret|token|password|passwd|signature|authorization|api[-_]?key)[A-Za-z_-]*)("?\s*[=:]\s*"?)(?!\[REDACTED\]|(?:Bearer|Basic)\s)([^\s"'&,;}]+)/gi;

/** A JSON Web Token anywhere in a string (three base64url parts, the first one `eyJ`). */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;

/** Removes credentials from free text (error messages, stack traces, log lines). */
export function redactText(text: string): string {
  return text
    .replace(AUTH_SCHEME, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(KEY_VALUE, `$1$2${REDACTED}`);
}

export type AdminRedactor = (value: unknown) => unknown;

/**
 * Builds the redaction applied to everything the admin UI shows from Redis (job data, return
 * values, failure reasons, stack traces, job logs, sync-run details): values under sensitive keys,
 * bearer and basic credentials, JWTs, `key=value` secrets in text, credentials in URLs, and any
 * occurrence of one of the process's own secret values.
 */
export function createAdminRedactor(knownSecrets: readonly string[] = []): AdminRedactor {
  const base = createRedactor(knownSecrets);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redactText(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(walk);
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value))
      out[key] = SENSITIVE_KEY.test(key) ? REDACTED : walk(child);
    return out;
  };
  // The logger's redactor copies the value (cycles and depth bounded), so `walk` sees plain data.
  return (value) => walk(base(value));
}
