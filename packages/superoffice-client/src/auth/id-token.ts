import { CLAIM, checkJwtTimes, JwtRejected, verifiedJwtClaims, type SigningKey } from './jwt';

/** What the connector reads from a user's id_token (superoffice-api.md 5.3 and 5.6). */
export interface IdTokenClaims {
  /** `ctx`: the tenant's ContextIdentifier, e.g. `Cust12345`. */
  readonly contextIdentifier: string;
  /** `webapi_url` without its trailing slash, e.g. `https://sod.superoffice.com/Cust26759/api`. */
  readonly webApiUrl: string;
  readonly associateId: number | undefined;
  /** `system_token`, only when an admin approved a "server to server" app. */
  readonly systemToken: string | undefined;
  readonly isAdministrator: boolean | undefined;
  readonly email: string | undefined;
  readonly companyName: string | undefined;
}

export interface IdTokenExpectations {
  /** `https://{env}.superoffice.com` (see `loginEndpoints`). */
  readonly issuer: string;
  /** The app's client id: the token's audience. */
  readonly clientId: string;
  /** Seconds since the epoch. */
  readonly nowSeconds: number;
  /** The `nonce` sent with the authorize request; checked when given. */
  readonly nonce?: string | undefined;
  /** Clock skew allowed on `exp`/`nbf` (default 300 s). */
  readonly leewaySeconds?: number;
}

/** A ContextIdentifier: letters and digits (Cust12345), as the tenant registry accepts. */
const CONTEXT_IDENTIFIER = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function text(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[`${CLAIM}${name}`];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** https, or http on a loopback host (the simulator); anything else is refused. */
function apiUrl(value: string | undefined): string {
  let url: URL;
  try {
    url = new URL(value ?? '');
  } catch {
    throw new JwtRejected('the id_token has no valid webapi_url claim');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw new JwtRejected('the id_token webapi_url is not an https URL');
  if (url.username || url.password || url.search || url.hash)
    throw new JwtRejected('the id_token webapi_url carries credentials, a query or a fragment');
  return url.toString().replace(/\/+$/, '');
}

/**
 * Validates an id_token from the authorization-code flow as superoffice-api.md 5.3/5.6 prescribe:
 * RS256 signature by one of the JWKS `keys`, `iss` = the environment, `aud` = the client id,
 * `exp` (required) and `nbf`, the `nonce` when one was sent; then reads the tenant from it.
 * @throws JwtRejected naming the failed check (never the token or a claim's value).
 */
export function validateIdToken(
  token: string,
  keys: readonly SigningKey[],
  expect: IdTokenExpectations,
): IdTokenClaims {
  const claims = verifiedJwtClaims(token, keys);
  const trim = (s: unknown) => (typeof s === 'string' ? s.replace(/\/+$/, '') : s);
  if (trim(claims.iss) !== trim(expect.issuer))
    throw new JwtRejected('the id_token issuer is not the SuperOffice environment');
  const audiences = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
  if (!audiences.includes(expect.clientId))
    throw new JwtRejected('the id_token audience is not this app (client id)');
  checkJwtTimes(claims, expect.nowSeconds, expect.leewaySeconds ?? 300, true);
  if (expect.nonce !== undefined && claims.nonce !== expect.nonce)
    throw new JwtRejected('the id_token nonce does not match the sign-in request');
  const ctx = text(claims, 'ctx');
  if (ctx === undefined || !CONTEXT_IDENTIFIER.test(ctx))
    throw new JwtRejected('the id_token has no valid ctx (ContextIdentifier) claim');
  const associate = Number(text(claims, 'associateid'));
  const admin = text(claims, 'is_administrator');
  return {
    contextIdentifier: ctx,
    webApiUrl: apiUrl(text(claims, 'webapi_url')),
    associateId: Number.isInteger(associate) && associate > 0 ? associate : undefined,
    systemToken: text(claims, 'system_token'),
    isAdministrator: admin === undefined ? undefined : admin.toLowerCase() === 'true',
    email: text(claims, 'email'),
    companyName: text(claims, 'company_name'),
  };
}
