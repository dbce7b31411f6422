import { randomBytes } from 'node:crypto';
import {
  authorizeRedirectUrl,
  createPkcePair,
  exchangeAuthorizationCode,
  JwtRejected,
  jwtKeyId,
  randomToken,
  SuperOfficeError,
  validateIdToken,
  type IdTokenClaims,
  type SigningKey,
} from '@so-connector/superoffice-client';
import type { OnboardingSettings } from './onboarding-settings';
import { sha256Hex, type OAuthStateStore } from './state-store';

export interface SignInDeps {
  readonly settings: OnboardingSettings;
  readonly states: OAuthStateStore;
  /** The environment's JWKS signing keys (cached; refetched for an unknown kid). */
  readonly keys: (kid: string | undefined) => Promise<readonly SigningKey[]>;
  readonly now: () => number;
}

/** Why a callback did not produce a validated sign-in; each is its own page, and nothing is stored. */
export type SignInFailure =
  | 'denied'
  | 'refused'
  | 'bad-request'
  | 'unknown-state'
  | 'expired-state'
  | 'other-browser'
  | 'exchange-failed'
  | 'invalid-id-token';

export type SignInResult =
  | { readonly ok: true; readonly claims: IdTokenClaims; readonly refreshToken: string }
  | { readonly ok: false; readonly failure: SignInFailure; readonly detail?: string };

/** A tenant id as `acr_values=tenant:` takes it (optional on the connect form). */
export const TENANT_HINT = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * The connect step: a fresh state, nonce and PKCE pair, remembered in Redis for 10 minutes and
 * bound to this browser by a random cookie value (returned, to be set by the caller).
 */
export async function startSignIn(
  deps: SignInDeps,
  tenantHint: string | undefined,
): Promise<{ readonly authorizeUrl: string; readonly browserBinding: string }> {
  const state = randomToken();
  const nonce = randomToken();
  const pkce = createPkcePair();
  const browserBinding = randomBytes(32).toString('base64url');
  await deps.states.put(state, {
    verifier: pkce.verifier,
    nonce,
    browser: sha256Hex(browserBinding),
    createdAt: deps.now(),
  });
  const { settings } = deps;
  return {
    browserBinding,
    authorizeUrl: authorizeRedirectUrl({
      authorizeUrl: settings.endpoints.authorizeUrl,
      clientId: settings.clientId,
      redirectUri: settings.redirectUri,
      state,
      codeChallenge: pkce.challenge,
      nonce,
      tenantHint,
    }),
  };
}

const one = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The callback: takes the state (once, whatever follows), checks the browser, reads SuperOffice's
 * answer, exchanges the code with the PKCE verifier and validates the id_token against the JWKS
 * (signature, issuer, audience = client id, expiry, nonce). Stores nothing.
 */
export async function finishSignIn(
  deps: SignInDeps,
  query: Readonly<Record<string, unknown>>,
  browserCookie: string | undefined,
): Promise<SignInResult> {
  const fail = (failure: SignInFailure, detail?: string): SignInResult => ({
    ok: false,
    failure,
    ...(detail === undefined ? {} : { detail }),
  });
  const state = one(query.state);
  if (state === undefined) return fail('bad-request', 'the answer has no state');
  const taken = await deps.states.take(state);
  if (taken.kind === 'unknown') return fail('unknown-state');
  if (taken.kind === 'expired') return fail('expired-state');
  const { signIn } = taken;
  if (browserCookie === undefined || sha256Hex(browserCookie) !== signIn.browser)
    return fail('other-browser');
  const error = one(query.error);
  if (error === 'access_denied') return fail('denied');
  if (error !== undefined)
    return fail(
      'refused',
      `${error}${one(query.error_description) ? `: ${String(query.error_description)}` : ''}`,
    );
  const code = one(query.code);
  if (code === undefined) return fail('bad-request', 'the answer has neither a code nor an error');
  const { settings } = deps;
  let tokens;
  try {
    tokens = await exchangeAuthorizationCode({
      tokenUrl: settings.endpoints.tokenUrl,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      code,
      redirectUri: settings.redirectUri,
      codeVerifier: signIn.verifier,
    });
  } catch (e) {
    if (e instanceof SuperOfficeError)
      return fail('exchange-failed', e.errorMessage ?? `HTTP ${e.status ?? 'no answer'}`);
    throw e;
  }
  try {
    const keys = await deps.keys(jwtKeyId(tokens.idToken));
    const claims = validateIdToken(tokens.idToken, keys, {
      issuer: settings.endpoints.issuer,
      clientId: settings.clientId,
      nowSeconds: Math.floor(deps.now() / 1000),
      nonce: signIn.nonce,
    });
    return { ok: true, claims, refreshToken: tokens.refreshToken };
  } catch (e) {
    if (e instanceof JwtRejected) return fail('invalid-id-token', e.message);
    if (e instanceof SuperOfficeError)
      return fail(
        'invalid-id-token',
        `the JWKS could not be read (${e.errorMessage ?? `HTTP ${e.status ?? 'no answer'}`})`,
      );
    throw e;
  }
}
