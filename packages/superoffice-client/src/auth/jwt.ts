import { createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';

/** The prefix of SuperOffice's own claims (superoffice-api.md 5.3). */
export const CLAIM = 'http://schemes.superoffice.net/identity/';
/** The claim of PartnerSystemUser's JWT that carries the ticket (superoffice-api.md 5.5). */
export const TICKET_CLAIM = `${CLAIM}ticket`;

/** Why a JWT was refused; the message names the check, never the token or a claim's secret value. */
export class JwtRejected extends Error {
  override readonly name = 'JwtRejected';
}

export interface SigningKey {
  readonly kid: string | undefined;
  readonly key: KeyObject;
}

/** The RSA signing keys of a JWKS document (`n`/`e`, or the first `x5c` certificate). */
export function keysOfJwks(document: unknown): SigningKey[] {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return [];
  const out: SigningKey[] = [];
  for (const jwk of keys as Record<string, unknown>[]) {
    if (jwk?.kty !== 'RSA' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    const kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
    try {
      if (typeof jwk.n === 'string' && typeof jwk.e === 'string') {
        out.push({
          kid,
          key: createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }),
        });
      } else if (Array.isArray(jwk.x5c) && typeof jwk.x5c[0] === 'string') {
        out.push({ kid, key: new X509Certificate(Buffer.from(jwk.x5c[0], 'base64')).publicKey });
      }
    } catch {
      // A key this runtime cannot read is skipped; a token signed with it is refused.
    }
  }
  return out;
}

function part(text: string | undefined, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new JwtRejected(`the JWT ${what} is not a JSON object`);
}

/** The kid of a JWT's header (undefined when absent), to pick the key before verifying. */
export function jwtKeyId(token: string): string | undefined {
  const kid = part(token.split('.')[0], 'header').kid;
  return typeof kid === 'string' ? kid : undefined;
}

export interface SystemUserJwtExpectations {
  /** The tenant the ticket must be for (`ctx` claim). */
  readonly contextIdentifier: string;
  /** Seconds since the epoch. */
  readonly nowSeconds: number;
  /** Clock skew allowed on `exp`/`nbf` (default 300 s). */
  readonly leewaySeconds?: number;
}

/**
 * The claims of an RS256 JWT whose signature verifies with one of `keys` (the token's `kid` picks
 * the key when it names one). Checks nothing else: the caller checks issuer, audience and times.
 */
export function verifiedJwtClaims(
  token: string,
  keys: readonly SigningKey[],
): Record<string, unknown> {
  const segments = token.split('.');
  if (segments.length !== 3) throw new JwtRejected('the token is not a JWT (three parts)');
  const [h, p, s] = segments as [string, string, string];
  const header = part(h, 'header');
  const claims = part(p, 'payload');
  if (header.alg !== 'RS256') throw new JwtRejected('the JWT is not signed with RS256');
  const candidates = keys.filter((k) => header.kid === undefined || k.kid === header.kid);
  const signature = Buffer.from(s, 'base64url');
  const input = Buffer.from(`${h}.${p}`);
  if (!candidates.some((k) => verify('sha256', input, k.key, signature)))
    throw new JwtRejected('the JWT signature does not verify with the published keys');
  return claims;
}

/** Checks `exp` and `nbf` against `nowSeconds` with `leeway`; `exp` is required when `needExp`. */
export function checkJwtTimes(
  claims: Record<string, unknown>,
  nowSeconds: number,
  leeway: number,
  needExp = false,
): void {
  if (needExp && typeof claims.exp !== 'number') throw new JwtRejected('the JWT has no expiry');
  if (typeof claims.exp === 'number' && claims.exp + leeway < nowSeconds)
    throw new JwtRejected('the JWT has expired');
  if (typeof claims.nbf === 'number' && claims.nbf - leeway > nowSeconds)
    throw new JwtRejected('the JWT is not valid yet');
}

/**
 * Validates PartnerSystemUser's JWT as SuperOffice's docs prescribe (validate-security-tokens.md,
 * "System User" row): RS256 signature by one of `keys`, issuer `SuperOffice AS`, audience
 * `spn:{serial claim}`, within `nbf`/`exp`, for this tenant; returns the ticket claim.
 */
export function ticketFromSystemUserJwt(
  token: string,
  keys: readonly SigningKey[],
  expect: SystemUserJwtExpectations,
): string {
  const claims = verifiedJwtClaims(token, keys);
  if (claims.iss !== 'SuperOffice AS')
    throw new JwtRejected('the JWT issuer is not SuperOffice AS');
  const serial = claims[`${CLAIM}serial`];
  const audiences = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
  if (typeof serial !== 'string' || !audiences.includes(`spn:${serial}`))
    throw new JwtRejected('the JWT audience is not spn:{serial}');
  checkJwtTimes(claims, expect.nowSeconds, expect.leewaySeconds ?? 300);
  if (claims[`${CLAIM}ctx`] !== expect.contextIdentifier)
    throw new JwtRejected('the JWT is for another tenant');
  const ticket = claims[TICKET_CLAIM];
  if (typeof ticket !== 'string' || ticket === '')
    throw new JwtRejected('the JWT has no ticket claim');
  return ticket;
}
