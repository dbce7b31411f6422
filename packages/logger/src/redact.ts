import { SecretValues, type SecretReplacer } from './secret-values';

/** Keys whose values never reach a log line, whatever they hold. */
const SENSITIVE_KEY = /secret|token|password|passwd|signature|authorization|api[-_]?key|cookie/i;

/** `scheme://user:password@host` → `scheme://user:[REDACTED]@host` */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*):[^@/?#\s]+@/gi;

export const REDACTED = '[REDACTED]';

export interface Redactor {
  (value: unknown): unknown;
}

/**
 * Builds a function that returns a copy of a log record with secrets removed: values under
 * sensitive keys, credentials in URLs, and any occurrence of one of the given secret values
 * (webhook secrets, client secrets, and with a `SecretValues` the tenants' current secrets)
 * anywhere in a string.
 */
export function createRedactor(secretValues: readonly string[] | SecretValues = []): Redactor {
  const values =
    secretValues instanceof SecretValues ? secretValues : new SecretValues(secretValues);

  // A URL's credentials end in `@`: a string without one (most) skips the expression.
  const redactString = (text: string, replace: SecretReplacer): string =>
    replace(text.includes('@') ? text.replace(URL_CREDENTIALS, `$1:${REDACTED}@`) : text, REDACTED);

  const walk = (
    value: unknown,
    depth: number,
    seen: WeakSet<object>,
    replace: SecretReplacer,
  ): unknown => {
    if (typeof value === 'string') return redactString(value, replace);
    if (value === null || typeof value !== 'object') return value;
    if (depth > 8 || seen.has(value)) return '[…]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen, replace));
    if (value instanceof Error) {
      return { name: value.name, message: redactString(value.message, replace) };
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = SENSITIVE_KEY.test(key) ? REDACTED : walk(child, depth + 1, seen, replace);
    }
    return out;
  };

  return (value) => walk(value, 0, new WeakSet(), values.current());
}
