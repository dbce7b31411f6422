import supertest from 'supertest';
import { aContactChangedEvent } from '@so-connector/testing';
import { ADMIN_PASSWORD, ADMIN_USER, basicAuth, login } from './admin-harness';
import { useAdminRedis, useSeededAdminReceiver } from './admin-seeded';
import { signedDelivery, startReceiverForTest, type ReceiverUnderTest } from './receiver-harness';

const redisHolder = useAdminRedis();

describe('admin UI switched off (ADMIN_USER/ADMIN_PASSWORD unset)', () => {
  let sut: ReceiverUnderTest;
  beforeAll(async () => {
    sut = await startReceiverForTest({
      redisUrl: redisHolder.current.url,
      prefix: `${redisHolder.current.prefix}-off`,
    });
  });
  afterAll(async () => {
    await sut.close();
  });

  it.each(['/admin', '/admin/', '/admin/login', '/admin/queues', '/admin/queues/api/queues'])(
    'answers 404 for %s, even with the credentials of another deployment',
    async (path) => {
      const res = await supertest(sut.url)
        .get(path)
        .set('Authorization', basicAuth())
        .set('Accept', 'text/html');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/json/);
      expect(res.text).not.toMatch(/bull|sign in/i);
    },
  );

  it('has no login either', async () => {
    const res = await supertest(sut.url)
      .post('/admin/login')
      .type('form')
      .send({ user: ADMIN_USER, password: ADMIN_PASSWORD });
    expect(res.status).toBe(404);
  });
});
describe('admin UI switched on: sign-in and headers', () => {
  const admin = useSeededAdminReceiver(redisHolder);

  describe('authentication', () => {
    it.each([
      '/admin',
      '/admin?status=FAILED&account=acme',
      '/admin/runs/42/x',
      '/admin/queues',
      '/admin/jobs/so-events/1',
    ])(
      'sends a browser without a session from %s to the login form, and back afterwards',
      async (path) => {
        const res = await supertest(admin.sut.url).get(path).set('Accept', 'text/html,*/*');
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe(`/admin/login?next=${encodeURIComponent(path)}`);
      },
    );

    it.each([
      ['no credentials', undefined],
      ['a wrong password', basicAuth(ADMIN_USER, 'wrong-password-123')],
      ['a wrong user', basicAuth('root', ADMIN_PASSWORD)],
      ['a malformed header', 'Basic !!!'],
      ['a bearer token', 'Bearer abc'],
    ])('answers 401 with a Basic challenge to a script with %s', async (_what, header) => {
      const request = supertest(admin.sut.url).get('/admin/queues/api/queues');
      if (header) void request.set('Authorization', header);
      const res = await request;
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(
        'Basic realm="so-connector admin", charset="UTF-8"',
      );
      expect(res.text).not.toContain('so-events');
    });

    it('refuses a forged session cookie, a real one with its expiry or user changed', async () => {
      const real = await login(admin.sut.url); // so_admin=<user>.<expires>.<signature>
      const [name, expires, signature] = real.slice('so_admin='.length).split('.');
      const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
      const forged = `so_admin=${name}.${Date.now() + 3600_000}.${'B'.repeat(43)}`;
      const extended = `so_admin=${name}.${Number(expires) + 3600_000}.${signature}`;
      const otherUser = `so_admin=${b64('anna')}.${expires}.${signature}`;
      const expired = `so_admin=${name}.${Date.now() - 1000}.${signature}`;
      expect((await supertest(admin.sut.url).get('/admin').set('Cookie', real)).status).toBe(200);
      for (const cookie of [forged, extended, otherUser, expired]) {
        const res = await supertest(admin.sut.url).get('/admin').set('Cookie', cookie);
        expect(res.status).toBe(401);
      }
    });

    it('accepts HTTP Basic for scripts', async () => {
      const res = await supertest(admin.sut.url).get('/admin').set('Authorization', basicAuth());
      expect(res.status).toBe(200);
      expect(res.text).toContain('Sync runs');
    });

    it('serves the login form, and shows an error (401) after wrong credentials', async () => {
      const form = await supertest(admin.sut.url).get('/admin/login?next=%2Fadmin%2Fruns%2F42%2Fx');
      expect(form.status).toBe(200);
      expect(form.text).toContain('<form class="login" method="post" action="/admin/login">');
      expect(form.text).toContain('name="next" value="/admin/runs/42/x"');

      const started = Date.now();
      const wrong = await supertest(admin.sut.url)
        .post('/admin/login')
        .type('form')
        .send({ user: ADMIN_USER, password: 'not-the-password-1', next: '/admin' });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Wrong user name or password.');
      expect(wrong.headers['set-cookie']).toBeUndefined();
      // The failed-login delay.
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    });

    it('signs in with the form: a signed, HttpOnly, SameSite=Strict cookie on /admin that opens the pages', async () => {
      const res = await supertest(admin.sut.url)
        .post('/admin/login')
        .type('form')
        .send({ user: ADMIN_USER, password: ADMIN_PASSWORD, next: '/admin?status=FAILED' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin?status=FAILED');
      const setCookie = (res.headers['set-cookie'] as unknown as string[])[0]!;
      expect(setCookie).toMatch(/^so_admin=[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{43}; /);
      expect(setCookie).toContain('HttpOnly');
      expect(setCookie).toContain('SameSite=Strict');
      expect(setCookie).toContain('Path=/admin');
      expect(setCookie).toMatch(/Expires=/);
      expect(setCookie).not.toContain(ADMIN_PASSWORD);

      const cookie = setCookie.split(';')[0]!;
      const page = await supertest(admin.sut.url).get('/admin').set('Cookie', cookie);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Acme AS');
    });

    it('never redirects after login to another site', async () => {
      for (const next of [
        'https://evil.test/',
        '//evil.test/admin',
        '/admin/../x\\',
        '/elsewhere',
      ]) {
        const res = await supertest(admin.sut.url)
          .post('/admin/login')
          .type('form')
          .send({ user: ADMIN_USER, password: ADMIN_PASSWORD, next });
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe('/admin');
      }
    });

    it('logs out: the cookie is cleared', async () => {
      const cookie = await login(admin.sut.url);
      const res = await supertest(admin.sut.url).post('/admin/logout').set('Cookie', cookie);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/login');
      expect((res.headers['set-cookie'] as unknown as string[])[0]).toMatch(
        /^so_admin=; Path=\/admin; Expires=Thu, 01 Jan 1970/,
      );
    });

    it('refuses a state-changing request a browser marks as cross-site', async () => {
      const res = await supertest(admin.sut.url)
        .post('/admin/login')
        .set('Sec-Fetch-Site', 'cross-site')
        .type('form')
        .send({ user: ADMIN_USER, password: ADMIN_PASSWORD });
      expect(res.status).toBe(403);
    });
  });

  describe('security headers', () => {
    it.each(['/admin', '/admin/login', '/admin/queues/', '/admin/queues/api/queues'])(
      '%s is not cached, not framed and not sniffed',
      async (path) => {
        const res = await supertest(admin.sut.url).get(path).set('Authorization', basicAuth());
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      },
    );

    it('lets no script run on the server-rendered pages', async () => {
      const res = await supertest(admin.sut.url).get('/admin').set('Authorization', basicAuth());
      expect(res.headers['content-security-policy']).toMatch(
        /^default-src 'none'; style-src 'sha256-/,
      );
      expect(res.text).not.toContain('<script');
    });

    it('leaves the webhook route as it was: no admin headers, same answer', async () => {
      const delivery = signedDelivery(aContactChangedEvent({ changes: ['name'] }));
      const res = await supertest(admin.sut.url)
        .post('/webhooks/superoffice')
        .set(delivery.headers)
        .send(delivery.text);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('accepted');
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['x-frame-options']).toBeUndefined();
    });
  });
});
