import supertest from 'supertest';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { ADMIN_PASSWORD, ADMIN_USER } from './admin-harness';
import { startReceiverForTest, type ReceiverUnderTest } from './receiver-harness';

// The session cookie is Secure when the browser came over HTTPS to a proxy TRUST_PROXY vouches
// for, and stays usable on plain-HTTP localhost (the demo). Real receiver, real Redis, real HTTP.
let redis: TestRedis;
beforeAll(async () => (redis = await useTestRedis()));
afterAll(() => redis.cleanup());

async function signIn(sut: ReceiverUnderTest, forwardedProto?: string) {
  const request = supertest(sut.url).post('/admin/login').type('form');
  if (forwardedProto) request.set('X-Forwarded-Proto', forwardedProto);
  const res = await request.send({ user: ADMIN_USER, password: ADMIN_PASSWORD, next: '/admin' });
  expect(res.status).toBe(303);
  return (res.headers['set-cookie'] as unknown as string[])[0]!;
}

describe.each([
  // supertest connects from 127.0.0.1: `loopback` and one hop both vouch for it.
  ['loopback', true],
  ['1', true],
  // Unset: nobody is trusted, a forwarded header is the client's word only.
  ['', false],
])('TRUST_PROXY=%j', (trustProxy, believed) => {
  let sut: ReceiverUnderTest;
  beforeAll(async () => {
    sut = await startReceiverForTest({
      redisUrl: redis.url,
      prefix: `${redis.prefix}-cookie`,
      env: { ADMIN_USER, ADMIN_PASSWORD, TRUST_PROXY: trustProxy },
    });
  });
  afterAll(() => sut.close());

  it(`${believed ? 'sets' : 'does not set'} Secure when X-Forwarded-Proto says https`, async () => {
    const cookie = await signIn(sut, 'https');
    if (believed) expect(cookie).toMatch(/; Secure(;|$)/);
    else expect(cookie).not.toMatch(/Secure/);
    expect(cookie).toContain('HttpOnly');
    // A proxy that is not vouched for is named in the log: the operator has to set TRUST_PROXY.
    const warned = sut.logLines.some((l) => l.includes('set TRUST_PROXY'));
    expect(warned).toBe(!believed);
  });

  it('sets no Secure flag on plain HTTP, and the cookie opens the dashboard there', async () => {
    const cookie = await signIn(sut);
    expect(cookie).not.toMatch(/Secure/);
    const page = await supertest(sut.url).get('/admin').set('Cookie', cookie.split(';')[0]!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sync runs');
  });

  it('clears the cookie on logout with the same flags', async () => {
    const res = await supertest(sut.url)
      .post('/admin/logout')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', (await signIn(sut)).split(';')[0]!);
    const cleared = (res.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cleared).toMatch(/^so_admin=;/);
    if (believed) expect(cleared).toMatch(/; Secure(;|$)/);
    else expect(cleared).not.toMatch(/Secure/);
  });
});
