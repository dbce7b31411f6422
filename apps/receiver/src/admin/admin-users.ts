import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { AdminUserConfig, PasswordHash } from '@so-connector/config';
import { constantTimeEqual, credentialsMatch, type AdminCredentials } from './auth';

/** Who is signed in: the operator sees every tenant, a tenant admin only its own. */
export type AdminPrincipal =
  | { readonly kind: 'operator'; readonly user: string }
  | { readonly kind: 'tenant'; readonly user: string; readonly tenants: readonly string[] };

/** scrypt cost of new hashes (`hash-admin-password`): 32 MiB, about 0.1 s. */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

const scryptAsync = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

const options = (hash: Pick<PasswordHash, 'N' | 'r' | 'p'>): ScryptOptions => ({
  N: hash.N,
  r: hash.r,
  p: hash.p,
  maxmem: 256 * hash.N * hash.r + 1024 * 1024,
});

/** A new hash of `password` (random 16-byte salt, 32-byte key). */
export async function hashPassword(
  password: string,
  cost: Pick<PasswordHash, 'N' | 'r' | 'p'> = DEFAULT_SCRYPT,
): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, 32, options(cost));
  return { ...cost, salt: salt.toString('base64url'), key: key.toString('base64url') };
}

/** True when `password` gives `hash`'s key (compared in constant time). */
export async function verifyPassword(password: string, hash: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(hash.key, 'base64url');
  const salt = Buffer.from(hash.salt, 'base64url');
  const key = await scryptAsync(password, salt, expected.length, options(hash));
  return timingSafeEqual(key, expected);
}

/**
 * Password checks (scrypt, ~0.1 s of the libuv pool each) run at most this many at once: the pool
 * is shared with the disk spool and DNS, so a flood of wrong Basic credentials must not stall
 * them. A check beyond it is refused at once (as wrong credentials).
 */
export const MAX_CONCURRENT_CHECKS = 2;
/** A successful check is remembered this long (keyed by an HMAC of the credentials). */
const REMEMBER_MS = 60_000;
const REMEMBER_MAX = 100;

export interface AdminDirectory {
  /**
   * The principal these credentials sign in as, or undefined. With tenant admins configured,
   * every check derives one scrypt key (a dummy one for an unknown name), so the time taken does
   * not tell which names exist.
   */
  check(given: AdminCredentials): Promise<AdminPrincipal | undefined>;
  /** The principal of a user named in a valid session (the names are fixed at start). */
  find(user: string): AdminPrincipal | undefined;
  /** Every credential, for the session key: changing any password ends every session. */
  readonly keyMaterial: string;
}

export function adminDirectory(
  operator: AdminCredentials,
  users: readonly AdminUserConfig[],
): AdminDirectory {
  const operatorPrincipal: AdminPrincipal = { kind: 'operator', user: operator.user };
  const principal = (u: AdminUserConfig): AdminPrincipal => ({
    kind: 'tenant',
    user: u.user,
    tenants: u.tenants,
  });
  // The dummy costs as much as the costliest real hash, so an unknown name takes no less time.
  const costliest = users
    .map((u) => u.passwordHash)
    .reduce<PasswordHash | undefined>(
      (a, h) => (a && a.N * a.r * a.p >= h.N * h.r * h.p ? a : h),
      undefined,
    );
  const dummy: PasswordHash | undefined = costliest && {
    ...costliest,
    salt: randomBytes(16).toString('base64url'),
    key: randomBytes(Buffer.from(costliest.key, 'base64url').length).toString('base64url'),
  };
  const rememberKey = randomBytes(32);
  const remembered = new Map<string, { principal: AdminPrincipal; until: number }>();
  let checking = 0;
  return {
    async check(given) {
      const operatorOk = credentialsMatch(given, operator);
      if (dummy === undefined) return operatorOk ? operatorPrincipal : undefined;
      const print = createHmac('sha256', rememberKey)
        .update(`${given.user}\u0000${given.password}`)
        .digest('base64url');
      const known = remembered.get(print);
      if (known && known.until > Date.now()) return known.principal;
      if (checking >= MAX_CONCURRENT_CHECKS) return undefined;
      checking++;
      try {
        let match: AdminUserConfig | undefined;
        for (const u of users) if (constantTimeEqual(u.user, given.user)) match = u;
        const passwordOk = await verifyPassword(given.password, match?.passwordHash ?? dummy);
        const signedIn = operatorOk
          ? operatorPrincipal
          : match && passwordOk
            ? principal(match)
            : undefined;
        if (signedIn) {
          if (remembered.size >= REMEMBER_MAX) remembered.clear();
          remembered.set(print, { principal: signedIn, until: Date.now() + REMEMBER_MS });
        }
        return signedIn;
      } finally {
        checking--;
      }
    },
    find(user) {
      if (user === operator.user) return operatorPrincipal;
      const match = users.find((u) => u.user === user);
      return match && principal(match);
    },
    keyMaterial: [
      `${operator.user}\u0000${operator.password}`,
      ...users.map((u) => `${u.user}\u0000${u.passwordHash.key}`),
    ].join('\u0001'),
  };
}
