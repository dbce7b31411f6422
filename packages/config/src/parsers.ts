import { isIP } from 'node:net';
import { z } from 'zod';
import { appPrivateKeyProblem } from './app-key';
import { decodeSecretsKey } from './secrets-key';

/** An empty or blank value (common in `.env` files: `FOO=`) means "not set". */
function blankAsUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'] as const;
const FALSE_WORDS = ['false', '0', 'no', 'off'] as const;

/**
 * An explicit boolean. Never `z.coerce.boolean()`, which turns the string "false" into `true`.
 */
export function booleanFlag(defaultValue: boolean) {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => [...TRUE_WORDS, ...FALSE_WORDS].includes(v as never), {
        error: 'expected true or false',
      })
      .optional()
      .transform((v) =>
        v === undefined ? defaultValue : (TRUE_WORDS as readonly string[]).includes(v),
      ),
  );
}

/** A whole number within [min, max]; `undefined` when unset (the caller derives a default). */
export function optionalInteger(min: number, max: number) {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .regex(/^-?\d+$/, { error: `expected a whole number from ${min} to ${max}` })
      .transform(Number)
      .refine((n) => n >= min && n <= max, {
        error: `expected a whole number from ${min} to ${max}`,
      })
      .optional(),
  );
}

/** A whole number within [min, max]; `defaultValue` when unset. */
export function integer(min: number, max: number, defaultValue: number) {
  return optionalInteger(min, max).transform((n) => n ?? defaultValue);
}

/** An optional string; blank means unset. */
export function optionalString() {
  return z.preprocess(blankAsUndefined, z.string().trim().optional());
}

/** A string with a default; blank means unset. */
export function stringWithDefault(
  defaultValue: string,
  pattern?: { regex: RegExp; expected: string },
) {
  const base = z.string().trim();
  const checked = pattern
    ? base.regex(pattern.regex, { error: `expected ${pattern.expected}` })
    : base;
  return z.preprocess(
    blankAsUndefined,
    checked.optional().transform((v) => v ?? defaultValue),
  );
}

/**
 * A comma-separated list (e.g. several webhook secrets during a rotation). Items are trimmed and
 * empty items dropped; unset gives an empty array.
 */
export function commaList() {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .optional()
      .transform((v) =>
        (v ?? '')
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      ),
  );
}

/** One of a fixed set of words, case-insensitive; `defaultValue` when unset. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  defaultValue: T[number],
) {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(values, { error: `expected one of ${values.join(', ')}` }))
      .optional()
      .transform((v): T[number] => v ?? defaultValue),
  );
}

/** A redis:// or rediss:// URL. */
export function redisUrl(defaultValue: string) {
  return stringWithDefault(defaultValue, {
    regex: /^rediss?:\/\/[^\s]+$/,
    expected: 'a redis:// or rediss:// URL',
  });
}

/** Express's `trust proxy`: which hops in front of the receiver are believed about the client. */
export type TrustProxy = boolean | number | readonly string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An IPv4/IPv6 address, optionally with a /prefix, or one of proxy-addr's range names. */
function proxyAddress(item: string): boolean {
  if (PROXY_NAMES.includes(item)) return true;
  const [address = '', prefix, extra] = item.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `false` (unset: nobody is trusted, X-Forwarded-* are ignored), `true` (every hop;
 * only when nothing but the proxy can reach the receiver), a number of hops (`1`: the proxy right
 * in front), or a comma-separated list of the proxies' addresses, CIDR ranges or `loopback`,
 * `linklocal`, `uniquelocal`.
 */
export function trustProxy() {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .optional()
      .transform((v, ctx): TrustProxy => {
        if (v === undefined) return false;
        const word = v.toLowerCase();
        if ((TRUE_WORDS as readonly string[]).includes(word) && word !== '1') return true;
        if ((FALSE_WORDS as readonly string[]).includes(word) && word !== '0') return false;
        if (/^\d+$/.test(v) && Number(v) <= 10) return Number(v);
        const items = v
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0);
        if (items.length > 0 && items.every(proxyAddress)) return items;
        ctx.addIssue({
          code: 'custom',
          message:
            'expected true, false, a number of proxy hops (0-10), or a comma-separated list of proxy addresses, CIDR ranges, loopback, linklocal or uniquelocal',
        });
        return z.NEVER;
      }),
  );
}

/** TENANT_SECRETS_KEY: optional; when set, 32 bytes in hex or base64 (see decodeSecretsKey). */
export function secretsKey() {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .superRefine((value, ctx) => {
        const decoded = decodeSecretsKey(value);
        if (!decoded.ok) ctx.addIssue({ code: 'custom', message: decoded.reason });
      })
      .optional(),
  );
}

/** SO_APP_PRIVATE_KEY_FILE: optional; when set, a readable PEM file holding an RSA private key. */
export function appPrivateKeyFile() {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .superRefine((path, ctx) => {
        const problem = appPrivateKeyProblem(path);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  );
}
