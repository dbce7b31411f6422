import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { SuperOfficeError } from '../src';
import { jwksKeys } from '../src/auth/jwks';

// The JWKS cache against a real HTTP server whose document the test changes (a key rotation).
const jwkOf = (kid: string) => ({
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
  kid,
  use: 'sig',
});
const first = jwkOf('k1');
const second = jwkOf('k2');

let server: Server;
let url: string;
let answer: { status: number; body: unknown };
let fetches = 0;
beforeEach(async () => {
  fetches = 0;
  answer = { status: 200, body: { keys: [first] } };
  server = createServer((_req, res) => {
    fetches++;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/login/.well-known/jwks`;
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('jwksKeys', () => {
  it('fetches once, and again for an unknown kid at most once a minute', async () => {
    let now = 0;
    const keys = jwksKeys({ http: axios.create({ timeout: 5000 }), url, now: () => now });
    expect((await keys('k1')).map((k) => k.kid)).toEqual(['k1']);
    await keys('k1');
    await keys(undefined);
    expect(fetches).toBe(1);
    answer = { status: 200, body: { keys: [second] } };
    now = 30_000;
    expect((await keys('k2')).map((k) => k.kid)).toEqual(['k1']); // too soon: the cached keys
    expect(fetches).toBe(1);
    now = 61_000;
    expect((await keys('k2')).map((k) => k.kid)).toEqual(['k2']);
    expect(fetches).toBe(2);
  });

  it('shares one fetch among concurrent callers', async () => {
    const keys = jwksKeys({ http: axios.create({ timeout: 5000 }), url, now: Date.now });
    await Promise.all(Array.from({ length: 10 }, () => keys('k1')));
    expect(fetches).toBe(1);
  });

  it.each([
    [200, { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] }, 'permanent'],
    [503, {}, 'retryable'],
  ])('a %i answer without an RSA key (%j) is a %s error', async (status, body, kind) => {
    answer = { status, body };
    const keys = jwksKeys({ http: axios.create({ timeout: 5000 }), url, now: Date.now });
    const error = await keys('k1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuperOfficeError);
    expect(error).toMatchObject({ kind, errorMessage: 'the JWKS has no RSA signing key' });
  });
});
