import { createHash, createPublicKey, verify } from 'node:crypto';
import { AuthorizationServer, CODE_LIFETIME_MS } from './authorization-code';
import { publishedJwks } from './signing-key';

const REDIRECT = 'https://so.example.com/oauth/callback';
const C = 'http://schemes.superoffice.net/identity/';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

function server(now = { t: 1_800_000_000_000 }) {
  const s = new AuthorizationServer({
    clientId: 'app',
    clientSecret: 'secret',
    refreshToken: 'rt-1',
    contextIdentifier: 'Cust1',
    associateId: 7,
    issuer: () => 'http://127.0.0.1:9',
    apiBase: () => 'http://127.0.0.1:9/online1/Cust1/api',
    now: () => now.t,
  });
  s.redirectUris.add(REDIRECT);
  return { s, now };
}

const request = {
  client_id: 'app',
  redirect_uri: REDIRECT,
  response_type: 'code',
  scope: 'openid',
  state: 'st',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
  nonce: 'nn',
};

function codeOf(target: string | undefined): string {
  return new URL(target!).searchParams.get('code')!;
}

function claimsOf(jwt: string): Record<string, unknown> {
  const [h, p, sig] = jwt.split('.') as [string, string, string];
  const jwk = publishedJwks().keys[0]!;
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url'))).toBe(true);
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
}

describe('AuthorizationServer (superoffice-api.md 5.6)', () => {
  it('issues a single-use code for Allow and exchanges it with the PKCE verifier for a signed id_token', () => {
    const { s } = server();
    const check = s.authorize(request);
    if (!check.ok) throw new Error('refused');
    const target = s.decide(check.consentId, true);
    expect(new URL(target!).searchParams.get('state')).toBe('st');
    const code = codeOf(target);
    const grant = s.exchange({ code, redirect_uri: REDIRECT, code_verifier: VERIFIER });
    if (!grant.ok) throw new Error(grant.description);
    expect(grant.refreshToken).toBe('rt-1');
    expect(claimsOf(grant.idToken)).toMatchObject({
      iss: 'http://127.0.0.1:9',
      aud: 'app',
      nonce: 'nn',
      [`${C}ctx`]: 'Cust1',
      [`${C}webapi_url`]: 'http://127.0.0.1:9/online1/Cust1/api/',
    });
    expect(s.exchange({ code, redirect_uri: REDIRECT, code_verifier: VERIFIER })).toMatchObject({
      ok: false,
      error: 'invalid_grant',
    });
  });

  it('refuses a wrong verifier, a wrong redirect URI and an expired code', () => {
    const { s, now } = server();
    const fresh = () => {
      const check = s.authorize(request);
      if (!check.ok) throw new Error('refused');
      return codeOf(s.decide(check.consentId, true));
    };
    expect(
      s.exchange({ code: fresh(), redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) }),
    ).toMatchObject({ ok: false, description: expect.stringMatching(/code_verifier/) });
    expect(
      s.exchange({ code: fresh(), redirect_uri: `${REDIRECT}/`, code_verifier: VERIFIER }),
    ).toMatchObject({ ok: false, description: expect.stringMatching(/redirect_uri/) });
    const code = fresh();
    now.t += CODE_LIFETIME_MS + 1;
    expect(s.exchange({ code, redirect_uri: REDIRECT, code_verifier: VERIFIER })).toMatchObject({
      ok: false,
      error: 'invalid_grant',
    });
  });

  it('shows (never redirects to) an unknown client or redirect URI; redirects other errors', () => {
    const { s } = server();
    expect(s.authorize({ ...request, client_id: 'x' })).toMatchObject({ ok: false, status: 400 });
    expect(s.authorize({ ...request, redirect_uri: 'https://evil.example/cb' })).toMatchObject({
      ok: false,
      status: 400,
    });
    const plain = s.authorize({ ...request, code_challenge_method: 'plain' });
    expect(plain).toMatchObject({
      ok: false,
      redirect: expect.stringContaining('error=invalid_request'),
    });
  });

  it('sends Deny back as access_denied with the state', () => {
    const { s } = server();
    const check = s.authorize(request);
    if (!check.ok) throw new Error('refused');
    const target = new URL(s.decide(check.consentId, false)!);
    expect(target.searchParams.get('error')).toBe('access_denied');
    expect(target.searchParams.get('state')).toBe('st');
    expect(target.searchParams.get('code')).toBeNull();
    expect(s.decide(check.consentId, true)).toBeUndefined();
  });

  it('spoils id_tokens on request (wrong audience, expired)', () => {
    const { s } = server();
    const token = (fault: 'wrong-audience' | 'expired') => {
      s.idTokenFault = fault;
      const check = s.authorize(request);
      if (!check.ok) throw new Error('refused');
      const grant = s.exchange({
        code: codeOf(s.decide(check.consentId, true)),
        redirect_uri: REDIRECT,
        code_verifier: VERIFIER,
      });
      if (!grant.ok) throw new Error(grant.description);
      return claimsOf(grant.idToken);
    };
    expect(token('wrong-audience').aud).toBe('another-app');
    expect(token('expired').exp).toBeLessThan(1_800_000_000);
  });
});
