import { z } from 'zod';

/**
 * A password hashed with scrypt: the cost parameters, the salt and the derived key (base64url
 * strings, so the loaded configuration can be frozen).
 */
export interface PasswordHash {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
  readonly key: string;
}

/** A tenant admin (ADMIN_USERS): signs in like the operator, sees only `tenants`. */
export interface AdminUserConfig {
  readonly user: string;
  readonly passwordHash: PasswordHash;
  /** The ContextIdentifiers this user may see (at least one). */
  readonly tenants: readonly string[];
}

const HASH_SCHEME = 'scrypt';
const LOG2_N = { min: 14, max: 20 };
const MAX_MEMORY = 256 * 1024 * 1024;
const USER_NAME = /^[A-Za-z0-9._@+-]{1,64}$/;
/** The same rule as packages/tenants' CONTEXT_IDENTIFIER (config cannot depend on that package). */
const CONTEXT_IDENTIFIER = /^[A-Za-z0-9_-]+$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** `scrypt.{log2 N}.{r}.{p}.{salt}.{key}` (salt and key base64url): no `:`, `,`, space or `$`. */
export function formatPasswordHash(hash: PasswordHash): string {
  return [HASH_SCHEME, Math.log2(hash.N), hash.r, hash.p, hash.salt, hash.key].join('.');
}

/** The hash, or a problem that does not repeat the value. */
export function parsePasswordHash(text: string): PasswordHash | string {
  const parts = text.split('.');
  const [scheme, log2N, r, p, salt, key] = parts;
  if (parts.length !== 6 || scheme !== HASH_SCHEME)
    return `is not a password hash (expected ${HASH_SCHEME}.15.8.1.<salt>.<key>, from hash-admin-password)`;
  const numbers = [log2N, r, p].map((n) => (/^\d{1,2}$/.test(n ?? '') ? Number(n) : NaN));
  const [ln, rn, pn] = numbers as [number, number, number];
  if (numbers.some(Number.isNaN) || ln < LOG2_N.min || ln > LOG2_N.max || rn < 1 || pn < 1)
    return `has scrypt parameters out of range (log2 N ${LOG2_N.min}–${LOG2_N.max}, r and p at least 1)`;
  if (128 * 2 ** ln * rn > MAX_MEMORY || pn > 16)
    return 'has scrypt parameters needing more than 256 MiB (or p over 16)';
  if (!BASE64URL.test(salt ?? '') || !BASE64URL.test(key ?? ''))
    return 'has a salt or key that is not base64url';
  const saltBytes = Buffer.from(salt!, 'base64url').length;
  const keyBytes = Buffer.from(key!, 'base64url').length;
  if (saltBytes < 16 || keyBytes < 32 || keyBytes > 64)
    return 'has a salt under 16 bytes or a key not 32–64 bytes long';
  return { N: 2 ** ln, r: rn, p: pn, salt: salt!, key: key! };
}

/** One `user:hash:Cust1,Cust2` entry, or a problem naming the entry (never its hash). */
function parseEntry(entry: string, index: number): AdminUserConfig | string {
  const fields = entry.split(':');
  const where = `entry ${index + 1}`;
  if (fields.length !== 3) return `${where} is not user:password-hash:tenant1,tenant2`;
  const [user, hashText, tenantList] = fields as [string, string, string];
  if (!USER_NAME.test(user))
    return `${where}: the user name must be 1–64 letters, digits or . _ @ + -`;
  const passwordHash = parsePasswordHash(hashText);
  if (typeof passwordHash === 'string')
    return `${where} (${user}): the password hash ${passwordHash}`;
  const tenants = tenantList
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tenants.length === 0) return `${where} (${user}) names no tenant`;
  const bad = tenants.find((t) => !CONTEXT_IDENTIFIER.test(t));
  if (bad !== undefined)
    return `${where} (${user}): ${JSON.stringify(bad)} is not a ContextIdentifier`;
  return { user, passwordHash, tenants: [...new Set(tenants)] };
}

/** Every entry of ADMIN_USERS (separated by spaces, newlines or `;`), or the first problem. */
export function parseAdminUsers(text: string): readonly AdminUserConfig[] | string {
  const users: AdminUserConfig[] = [];
  const entries = text.split(/[\s;]+/).filter((e) => e !== '');
  for (const [index, entry] of entries.entries()) {
    const parsed = parseEntry(entry, index);
    if (typeof parsed === 'string') return parsed;
    if (users.some((u) => u.user.toLowerCase() === parsed.user.toLowerCase()))
      return `names user ${parsed.user} twice`;
    users.push(parsed);
  }
  return users;
}

/** ADMIN_USERS: tenant admins; blank or unset = none. */
export function adminUsers() {
  return z
    .string()
    .optional()
    .transform((value, ctx): readonly AdminUserConfig[] => {
      const parsed = parseAdminUsers(value ?? '');
      if (typeof parsed !== 'string') return parsed;
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    });
}

/** ADMIN_USERS needs the operator (ADMIN_USER/ADMIN_PASSWORD: the admin UI exists) and another name. */
export function refineAdminUsers(
  env: {
    readonly ADMIN_USER?: string | undefined;
    readonly ADMIN_USERS: readonly AdminUserConfig[];
  },
  ctx: z.RefinementCtx,
): void {
  if (env.ADMIN_USERS.length === 0) return;
  if (env.ADMIN_USER === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['ADMIN_USERS'],
      message: 'needs ADMIN_USER/ADMIN_PASSWORD (the operator) set as well',
    });
  else if (env.ADMIN_USERS.some((u) => u.user.toLowerCase() === env.ADMIN_USER!.toLowerCase()))
    ctx.addIssue({
      code: 'custom',
      path: ['ADMIN_USERS'],
      message: 'names the operator ADMIN_USER as a tenant admin',
    });
}
