import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { JwtRejected, keysOfJwks, ticketFromSystemUserJwt, TICKET_CLAIM } from './jwt';

const so = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const NOW = 1_800_000_000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const goodClaims = {
  iss: 'SuperOffice AS',
  aud: 'spn:1801550193',
  nbf: NOW - 60,
  exp: NOW + 300,
  'http://schemes.superoffice.net/identity/serial': '1801550193',
  'http://schemes.superoffice.net/identity/ctx': 'Cust1',
  [TICKET_CLAIM]: '7T:abc==',
};

function jwt(
  claims: Record<string, unknown>,
  key: KeyObject = so.privateKey,
  header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' },
) {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const keys = keysOfJwks({
  keys: [{ ...so.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }],
});
const expectations = { contextIdentifier: 'Cust1', nowSeconds: NOW };

describe('ticketFromSystemUserJwt', () => {
  it('returns the ticket claim of a valid system-user JWT', () => {
    expect(ticketFromSystemUserJwt(jwt(goodClaims), keys, expectations)).toBe('7T:abc==');
  });

  it('reads RSA signing keys of a JWKS and skips other key types', () => {
    expect(keys).toHaveLength(1);
    expect(keysOfJwks({ keys: [{ kty: 'EC', crv: 'P-256' }] })).toHaveLength(0);
    expect(keysOfJwks(null)).toHaveLength(0);
  });

  it.each([
    ['another key', jwt(goodClaims, other.privateKey), /signature does not verify/],
    ['an unknown kid', jwt(goodClaims, so.privateKey, { alg: 'RS256', kid: 'k2' }), /signature/],
    ['alg none', `${b64({ alg: 'none' })}.${b64(goodClaims)}.`, /not signed with RS256/],
    ['HS256', jwt(goodClaims, so.privateKey, { alg: 'HS256' }), /not signed with RS256/],
    ['another issuer', jwt({ ...goodClaims, iss: 'https://online.superoffice.com' }), /issuer/],
    ['another audience', jwt({ ...goodClaims, aud: 'spn:999' }), /audience/],
    ['an expired token', jwt({ ...goodClaims, exp: NOW - 301 }), /expired/],
    ['a future token', jwt({ ...goodClaims, nbf: NOW + 301 }), /not valid yet/],
    [
      'another tenant',
      jwt({ ...goodClaims, 'http://schemes.superoffice.net/identity/ctx': 'Cust2' }),
      /another tenant/,
    ],
    ['no ticket', jwt({ ...goodClaims, [TICKET_CLAIM]: '' }), /no ticket/],
    ['two parts', 'abc.def', /not a JWT/],
    ['a header that is not JSON', 'bm90IGpzb24.e30.x', /header is not a JSON object/],
  ])('refuses %s', (_what, token, message) => {
    let error: unknown;
    try {
      ticketFromSystemUserJwt(token, keys, expectations);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JwtRejected);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('7T:abc');
  });
});
