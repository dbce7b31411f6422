import { authorizeRedirectUrl } from './authorization-code';
import { loginBaseOf, loginEndpoints } from './login-endpoints';
import { createPkcePair, pkceChallenge } from './pkce';

describe('PKCE', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes a fresh 43-character verifier each time, with its challenge', () => {
    const a = createPkcePair();
    const b = createPkcePair();
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.challenge).toBe(pkceChallenge(a.verifier));
  });
});

describe('loginEndpoints', () => {
  it('names the environment’s endpoints (superoffice-api.md 5.1)', () => {
    expect(loginEndpoints('qaonline')).toEqual({
      authorizeUrl: 'https://qaonline.superoffice.com/login/common/oauth/authorize',
      tokenUrl: 'https://qaonline.superoffice.com/login/common/oauth/tokens',
      jwksUrl: 'https://qaonline.superoffice.com/login/.well-known/jwks',
      issuer: 'https://qaonline.superoffice.com',
    });
  });

  it('puts every endpoint on the login host of a token URL override', () => {
    const endpoints = loginEndpoints('online', 'http://127.0.0.1:5000/login/common/oauth/tokens');
    expect(endpoints).toEqual({
      authorizeUrl: 'http://127.0.0.1:5000/login/common/oauth/authorize',
      tokenUrl: 'http://127.0.0.1:5000/login/common/oauth/tokens',
      jwksUrl: 'http://127.0.0.1:5000/login/.well-known/jwks',
      issuer: 'http://127.0.0.1:5000',
    });
    expect(loginBaseOf('https://x.example/other/path')).toBe('https://x.example');
  });
});

describe('authorizeRedirectUrl', () => {
  it('asks for a code with scope openid, the exact redirect URI, state, nonce and S256 PKCE', () => {
    const url = new URL(
      authorizeRedirectUrl({
        authorizeUrl: 'https://sod.superoffice.com/login/common/oauth/authorize',
        clientId: 'app',
        redirectUri: 'https://so.example.com/oauth/callback',
        state: 's1',
        codeChallenge: 'c1',
        nonce: 'n1',
        tenantHint: 'Cust1',
      }),
    );
    expect(url.origin + url.pathname).toBe(
      'https://sod.superoffice.com/login/common/oauth/authorize',
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'app',
      scope: 'openid',
      response_type: 'code',
      redirect_uri: 'https://so.example.com/oauth/callback',
      state: 's1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
      nonce: 'n1',
      acr_values: 'tenant:Cust1',
    });
  });
});
