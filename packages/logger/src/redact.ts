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
 * (webhook secrets, client secrets) anywhere in a string.
 */
export function createRedactor(secretValues: readonly string[] = []): Redactor {
  // Short values would redact ordinary words; real secrets are long.
  const needles = secretValues.filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);

  const redactString = (text: string): string => {
    let out = text.replace(URL_CREDENTIALS, `$1:${REDACTED}@`);
    for (const needle of needles) {
      if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    }
    return out;
  };

  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth > 8 || seen.has(value)) return '[…]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
    if (value instanceof Error) {
      return { name: value.name, message: redactString(value.message) };
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = SENSITIVE_KEY.test(key) ? REDACTED : walk(child, depth + 1, seen);
    }
    return out;
  };

  return (value) => walk(value, 0, new WeakSet());
}
