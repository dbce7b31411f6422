import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { signJwt } from './signing-key';

const CLAIM = 'http://schemes.superoffice.net/identity/';

/** The code lives 10 minutes (superoffice-api.md 5.6). */
export const CODE_LIFETIME_MS = 10 * 60_000;

/** How the simulator spoils its next id_tokens, so tests can see the connector refuse them. */
export type IdTokenFault =
  'bad-signature' | 'wrong-issuer' | 'wrong-audience' | 'expired' | 'wrong-nonce' | 'no-ctx';

export interface AuthorizeQuery {
  readonly client_id?: unknown;
  readonly redirect_uri?: unknown;
  readonly response_type?: unknown;
  readonly scope?: unknown;
  readonly state?: unknown;
  readonly code_challenge?: unknown;
  readonly code_challenge_method?: unknown;
  readonly nonce?: unknown;
}

/** A consent request the authorize page shows, by its id (the page's hidden field). */
interface PendingConsent {
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly nonce: string | undefined;
}

interface IssuedCode extends PendingConsent {
  readonly expiresAt: number;
}

/** Refused before any redirect: a wrong client or redirect URI is shown, never redirected to. */
export type AuthorizeCheck =
  | { readonly ok: true; readonly consentId: string }
  | { readonly ok: false; readonly status: 400; readonly message: string }
  | { readonly ok: false; readonly redirect: string };

export type CodeGrant =
  | { readonly ok: true; readonly refreshToken: string; readonly idToken: string }
  | { readonly ok: false; readonly error: string; readonly description: string };

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * The authorization-code flow of SuperOffice's login service (superoffice-api.md 5.6), for one
 * tenant and one app: the authorize request (client id, exact redirect URI, `response_type=code`,
 * `scope=openid`, PKCE S256), the admin's Allow/Deny, a single-use code valid 10 minutes, and its
 * exchange (client secret, same redirect URI, `code_verifier`) for a refresh token and an id_token
 * signed with the published JWKS key, carrying `ctx` and `webapi_url`.
 */
export class AuthorizationServer {
  /** The app's registered redirect URIs; a request must use one of them exactly. */
  readonly redirectUris = new Set<string>();
  /** Spoils every id_token issued while set. */
  idTokenFault: IdTokenFault | undefined;
  /** Codes exchanged for tokens so far. */
  codesExchanged = 0;
  private readonly pending = new Map<string, PendingConsent>();
  private readonly codes = new Map<string, IssuedCode>();

  constructor(
    private readonly deps: {
      readonly clientId: string;
      readonly clientSecret: string;
      readonly refreshToken: string;
      readonly contextIdentifier: string;
      readonly associateId: number;
      /** The login host: the id_token's `iss`. */
      readonly issuer: () => string;
      /** The tenant's current `Api` base (`…/api`). */
      readonly apiBase: () => string;
      readonly now: () => number;
    },
  ) {}

  get contextIdentifier(): string {
    return this.deps.contextIdentifier;
  }

  /** Checks an authorize request; on success the consent page is shown for `consentId`. */
  authorize(query: AuthorizeQuery): AuthorizeCheck {
    if (str(query.client_id) !== this.deps.clientId)
      return { ok: false, status: 400, message: 'unknown client_id' };
    const redirectUri = str(query.redirect_uri);
    if (redirectUri === undefined || !this.redirectUris.has(redirectUri))
      return {
        ok: false,
        status: 400,
        message: 'redirect_uri does not match the application’s registered redirect URI',
      };
    const state = str(query.state);
    const refuse = (error: string, description: string): AuthorizeCheck => ({
      ok: false,
      redirect: withParams(redirectUri, { error, error_description: description, state }),
    });
    if (query.response_type !== 'code')
      return refuse('unsupported_response_type', 'only response_type=code is supported');
    if (
      !String(str(query.scope) ?? '')
        .split(' ')
        .includes('openid')
    )
      return refuse('invalid_scope', 'scope must include openid');
    const codeChallenge = str(query.code_challenge);
    if (codeChallenge !== undefined && query.code_challenge_method !== 'S256')
      return refuse('invalid_request', 'code_challenge_method must be S256');
    const consentId = randomBytes(16).toString('hex');
    this.pending.set(consentId, { redirectUri, state, codeChallenge, nonce: str(query.nonce) });
    return { ok: true, consentId };
  }

  /** The admin clicked Allow or Deny: where the browser goes next; undefined for an unknown id. */
  decide(consentId: string, allow: boolean): string | undefined {
    const consent = this.pending.get(consentId);
    if (!consent) return undefined;
    this.pending.delete(consentId);
    if (!allow)
      return withParams(consent.redirectUri, {
        error: 'access_denied',
        error_description: 'The administrator did not approve the application',
        state: consent.state,
      });
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { ...consent, expiresAt: this.deps.now() + CODE_LIFETIME_MS });
    return withParams(consent.redirectUri, { code, state: consent.state });
  }

  /** `grant_type=authorization_code` at the token endpoint; client credentials are checked before. */
  exchange(params: Record<string, string | undefined>): CodeGrant {
    const refuse = (error: string, description: string): CodeGrant => ({
      ok: false,
      error,
      description,
    });
    const code = this.codes.get(params.code ?? '');
    // Single use: a code is gone after its first exchange, whatever the outcome.
    if (params.code) this.codes.delete(params.code);
    if (!code || code.expiresAt < this.deps.now())
      return refuse('invalid_grant', 'the code is invalid, expired or already used');
    if (params.redirect_uri !== code.redirectUri)
      return refuse('invalid_grant', 'redirect_uri differs from the authorize request');
    if (code.codeChallenge !== undefined) {
      const verifier = params.code_verifier ?? '';
      const challenge = createHash('sha256').update(verifier, 'ascii').digest('base64url');
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || challenge !== code.codeChallenge)
        return refuse('invalid_grant', 'code_verifier does not match the code_challenge');
    }
    this.codesExchanged++;
    return { ok: true, refreshToken: this.deps.refreshToken, idToken: this.idToken(code.nonce) };
  }

  private idToken(nonce: string | undefined): string {
    const fault = this.idTokenFault;
    const seconds = Math.floor(this.deps.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: fault === 'wrong-issuer' ? 'https://evil.example.com' : this.deps.issuer(),
      aud: fault === 'wrong-audience' ? 'another-app' : this.deps.clientId,
      sub: `${this.deps.contextIdentifier}:${this.deps.associateId}`,
      iat: seconds,
      nbf: seconds - 60,
      exp: fault === 'expired' ? seconds - 3600 : seconds + 3600,
      ...(nonce === undefined ? {} : { nonce: fault === 'wrong-nonce' ? 'other-nonce' : nonce }),
      [`${CLAIM}ctx`]: fault === 'no-ctx' ? undefined : this.deps.contextIdentifier,
      [`${CLAIM}associateid`]: String(this.deps.associateId),
      [`${CLAIM}webapi_url`]: `${this.deps.apiBase()}/`,
      [`${CLAIM}is_administrator`]: 'True',
      [`${CLAIM}company_name`]: 'Simulated tenant',
      [`${CLAIM}email`]: 'admin@example.com',
    };
    const forger =
      fault === 'bad-signature'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
        : undefined;
    return signJwt(claims, forger);
  }
}
