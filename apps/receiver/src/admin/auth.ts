import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in time independent of where they differ and of their lengths: both are
 * hashed first, so `timingSafeEqual` always compares two 32-byte digests (it throws on unequal
 * lengths, and a length check of its own would leak the length).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

export interface AdminCredentials {
  readonly user: string;
  readonly password: string;
}

/** Both fields are always compared (no short-circuit), so a right user name is not revealed. */
export function credentialsMatch(given: AdminCredentials, expected: AdminCredentials): boolean {
  const userOk = constantTimeEqual(given.user, expected.user);
  const passwordOk = constantTimeEqual(given.password, expected.password);
  return userOk && passwordOk;
}

/** `Authorization: Basic base64(user:password)` (RFC 7617), or undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): AdminCredentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The value of one cookie from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface SessionSigner {
  /** A session of `user`, valid until `nowMs + ttlMs`. */
  issue(user: string, nowMs?: number): { value: string; expiresAt: Date };
  /** The user of a session this signer issued and that has not expired; else undefined. */
  verify(value: string | undefined, nowMs?: number): string | undefined;
}

/**
 * Signs admin sessions as `{user base64url}.{expiresMs}.{HMAC-SHA256}`. The key is derived from
 * every admin credential (`keyMaterial`: the operator's password, the tenant admins' hashes) and a
 * random salt made when the process starts, so changing a password or restarting the receiver ends
 * every session, and nothing needs to be stored.
 */
export function createSessionSigner(
  keyMaterial: string,
  ttlMs: number,
  salt: Buffer = randomBytes(32),
): SessionSigner {
  const key = createHmac('sha256', salt).update(keyMaterial, 'utf8').digest();
  const sign = (user: string, expiresMs: number) =>
    createHmac('sha256', key).update(`admin-session:v2:${user}:${expiresMs}`).digest('base64url');
  return {
    issue(user, nowMs = Date.now()) {
      const expiresMs = nowMs + ttlMs;
      const name = Buffer.from(user, 'utf8').toString('base64url');
      return {
        value: `${name}.${expiresMs}.${sign(user, expiresMs)}`,
        expiresAt: new Date(expiresMs),
      };
    },
    verify(value, nowMs = Date.now()) {
      const match = /^([A-Za-z0-9_-]{1,400})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
      if (!match?.[1] || !match[2] || !match[3]) return undefined;
      const user = Buffer.from(match[1], 'base64url').toString('utf8');
      const expiresMs = Number(match[2]);
      const signatureOk = constantTimeEqual(match[3], sign(user, expiresMs));
      return signatureOk && expiresMs > nowMs ? user : undefined;
    },
  };
}
