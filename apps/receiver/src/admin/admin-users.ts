import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
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
  const first = users[0]?.passwordHash;
  const dummy: PasswordHash | undefined = first && {
    ...first,
    salt: randomBytes(16).toString('base64url'),
    key: randomBytes(Buffer.from(first.key, 'base64url').length).toString('base64url'),
  };
  return {
    async check(given) {
      const operatorOk = credentialsMatch(given, operator);
      if (dummy === undefined) return operatorOk ? operatorPrincipal : undefined;
      let match: AdminUserConfig | undefined;
      for (const u of users) if (constantTimeEqual(u.user, given.user)) match = u;
      const passwordOk = await verifyPassword(given.password, match?.passwordHash ?? dummy);
      if (operatorOk) return operatorPrincipal;
      return match && passwordOk ? principal(match) : undefined;
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
