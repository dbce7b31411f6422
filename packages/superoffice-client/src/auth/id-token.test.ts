import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { validateIdToken } from './id-token';
import { JwtRejected, keysOfJwks } from './jwt';

const so = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const NOW = 1_800_000_000;
const C = 'http://schemes.superoffice.net/identity/';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const good = {
  iss: 'https://sod.superoffice.com',
  aud: 'app-id',
  iat: NOW - 10,
  exp: NOW + 3600,
  nonce: 'n-1',
  [`${C}ctx`]: 'Cust26759',
  [`${C}webapi_url`]: 'https://sod.superoffice.com/Cust26759/api/',
  [`${C}associateid`]: '5',
  [`${C}is_administrator`]: 'True',
  [`${C}company_name`]: 'Acme',
  [`${C}email`]: 'admin@acme.example',
};

function jwt(claims: Record<string, unknown>, key: KeyObject = so.privateKey, alg = 'RS256') {
  const input = `${b64({ alg, kid: 'k1' })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const keys = keysOfJwks({
  keys: [{ ...so.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }],
});
const expect_ = {
  issuer: 'https://sod.superoffice.com',
  clientId: 'app-id',
  nowSeconds: NOW,
  nonce: 'n-1',
};

describe('validateIdToken', () => {
  it('reads the tenant, API URL and user of a valid id_token', () => {
    expect(validateIdToken(jwt(good), keys, expect_)).toEqual({
      contextIdentifier: 'Cust26759',
      webApiUrl: 'https://sod.superoffice.com/Cust26759/api',
      associateId: 5,
      systemToken: undefined,
      isAdministrator: true,
      email: 'admin@acme.example',
      companyName: 'Acme',
    });
  });

  it('accepts an audience list that holds the client id, and an issuer with a trailing slash', () => {
    const token = jwt({ ...good, aud: ['x', 'app-id'], iss: 'https://sod.superoffice.com/' });
    expect(validateIdToken(token, keys, expect_).contextIdentifier).toBe('Cust26759');
  });

  it.each([
    ['another key', jwt(good, other.privateKey), /signature does not verify/],
    ['HS256', jwt(good, so.privateKey, 'HS256'), /not signed with RS256/],
    ['another issuer', jwt({ ...good, iss: 'https://online.superoffice.com' }), /issuer/],
    ['another audience', jwt({ ...good, aud: 'other-app' }), /audience/],
    ['expired', jwt({ ...good, exp: NOW - 301 }), /expired/],
    ['no exp', jwt({ ...good, exp: undefined }), /no expiry/],
    ['not yet valid', jwt({ ...good, nbf: NOW + 301 }), /not valid yet/],
    ['another nonce', jwt({ ...good, nonce: 'n-2' }), /nonce/],
    ['no ctx', jwt({ ...good, [`${C}ctx`]: undefined }), /ctx/],
    ['a ctx with a slash', jwt({ ...good, [`${C}ctx`]: 'Cust1/../x' }), /ctx/],
    ['no webapi_url', jwt({ ...good, [`${C}webapi_url`]: undefined }), /webapi_url/],
    [
      'an http webapi_url',
      jwt({ ...good, [`${C}webapi_url`]: 'http://evil.example/api' }),
      /https/,
    ],
    ['not a JWT', 'abc.def', /not a JWT/],
  ])('refuses a token signed with %s', (_what, token, message) => {
    expect(() => validateIdToken(token, keys, expect_)).toThrow(JwtRejected);
    expect(() => validateIdToken(token, keys, expect_)).toThrow(message);
  });

  it('accepts an http webapi_url on a loopback host (the simulator)', () => {
    const token = jwt({ ...good, [`${C}webapi_url`]: 'http://127.0.0.1:4000/online1/Cust1/api/' });
    expect(validateIdToken(token, keys, expect_).webApiUrl).toBe(
      'http://127.0.0.1:4000/online1/Cust1/api',
    );
  });

  it('never puts a claim value into its message', () => {
    const token = jwt({ ...good, aud: 'secret-looking-audience' });
    let message = '';
    try {
      validateIdToken(token, keys, expect_);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/audience/);
    expect(message).not.toContain('secret-looking');
  });
});
