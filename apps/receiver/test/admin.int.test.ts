import supertest from 'supertest';
import {
  aContactChangedEvent,
  startRedisServer,
  useTestRedis,
  waitFor,
  type TestRedis,
} from '@so-connector/testing';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  basicAuth,
  clearPrefix,
  ENRICH_JOB_IDS,
  EVENT_IDS,
  login,
  PLANTED,
  seedAdminData,
  startAdminReceiver,
  type SeededData,
} from './admin-harness';
import {
  SECRET,
  signedDelivery,
  startReceiverForTest,
  type ReceiverUnderTest,
} from './receiver-harness';

let redis: TestRedis;

beforeAll(async () => {
  redis = await useTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

/** Nothing secret may reach a page or a log line, whatever the test did. */
function expectNoSecrets(text: string): void {
  for (const planted of Object.values(PLANTED)) expect(text).not.toContain(planted);
  expect(text).not.toContain(ADMIN_PASSWORD);
  expect(text).not.toContain(SECRET);
}

describe('admin UI switched off (ADMIN_USER/ADMIN_PASSWORD unset)', () => {
  let sut: ReceiverUnderTest;
  beforeAll(async () => {
    sut = await startReceiverForTest({ redisUrl: redis.url, prefix: `${redis.prefix}-off` });
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

describe('admin UI switched on', () => {
  const prefix = () => `${redis.prefix}-on`;
  let sut: ReceiverUnderTest;
  let seeded: SeededData;

  beforeAll(async () => {
    seeded = await seedAdminData(redis.url, prefix());
    sut = await startAdminReceiver({ redisUrl: redis.url, prefix: prefix() });
  });
  afterAll(async () => {
    expectNoSecrets(sut.logLines.join('\n'));
    await sut.close();
    await clearPrefix(redis.url, prefix());
  });

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
        const res = await supertest(sut.url).get(path).set('Accept', 'text/html,*/*');
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
      const request = supertest(sut.url).get('/admin/queues/api/queues');
      if (header) void request.set('Authorization', header);
      const res = await request;
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(
        'Basic realm="so-connector admin", charset="UTF-8"',
      );
      expect(res.text).not.toContain('so-events');
    });

    it('refuses a forged or expired session cookie', async () => {
      const expired = `so_admin=${Date.now() - 1000}.${'A'.repeat(43)}`;
      const forged = `so_admin=${Date.now() + 3600_000}.${'B'.repeat(43)}`;
      for (const cookie of [expired, forged]) {
        const res = await supertest(sut.url).get('/admin').set('Cookie', cookie);
        expect(res.status).toBe(401);
      }
    });

    it('accepts HTTP Basic for scripts', async () => {
      const res = await supertest(sut.url).get('/admin').set('Authorization', basicAuth());
      expect(res.status).toBe(200);
      expect(res.text).toContain('Sync runs');
    });

    it('serves the login form, and shows an error (401) after wrong credentials', async () => {
      const form = await supertest(sut.url).get('/admin/login?next=%2Fadmin%2Fruns%2F42%2Fx');
      expect(form.status).toBe(200);
      expect(form.text).toContain('<form class="login" method="post" action="/admin/login">');
      expect(form.text).toContain('name="next" value="/admin/runs/42/x"');

      const started = Date.now();
      const wrong = await supertest(sut.url)
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
      const res = await supertest(sut.url)
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
      const page = await supertest(sut.url).get('/admin').set('Cookie', cookie);
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
        const res = await supertest(sut.url)
          .post('/admin/login')
          .type('form')
          .send({ user: ADMIN_USER, password: ADMIN_PASSWORD, next });
        expect(res.status).toBe(303);
        expect(res.headers.location).toBe('/admin');
      }
    });

    it('logs out: the cookie is cleared', async () => {
      const cookie = await login(sut.url);
      const res = await supertest(sut.url).post('/admin/logout').set('Cookie', cookie);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/admin/login');
      expect((res.headers['set-cookie'] as unknown as string[])[0]).toMatch(
        /^so_admin=; Path=\/admin; Expires=Thu, 01 Jan 1970/,
      );
    });

    it('refuses a state-changing request a browser marks as cross-site', async () => {
      const res = await supertest(sut.url)
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
        const res = await supertest(sut.url).get(path).set('Authorization', basicAuth());
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      },
    );

    it('lets no script run on the server-rendered pages', async () => {
      const res = await supertest(sut.url).get('/admin').set('Authorization', basicAuth());
      expect(res.headers['content-security-policy']).toMatch(
        /^default-src 'none'; style-src 'sha256-/,
      );
      expect(res.text).not.toContain('<script');
    });

    it('leaves the webhook route as it was: no admin headers, same answer', async () => {
      const delivery = signedDelivery(aContactChangedEvent({ changes: ['name'] }));
      const res = await supertest(sut.url)
        .post('/webhooks/superoffice')
        .set(delivery.headers)
        .send(delivery.text);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('accepted');
      expect(res.headers['content-security-policy']).toBeUndefined();
      expect(res.headers['x-frame-options']).toBeUndefined();
    });
  });

  describe('/admin: sync runs', () => {
    const get = (path: string) => supertest(sut.url).get(path).set('Authorization', basicAuth());
    const runRows = (page: string) =>
      [...page.matchAll(/<tr data-run="([^"]+)" data-status="([A-Z]+)">/g)].map((m) => [
        m[1],
        m[2],
      ]);

    it('lists one row per run, newest first, with its status by the priority rule', async () => {
      const res = await get('/admin');
      expect(res.status).toBe(200);
      expect(runRows(res.text)).toEqual([
        [seeded.runs.initech, 'SKIPPED'],
        [seeded.runs.globex, 'FAILED'],
        // COMPLETED although its last event (an echo) was SKIPPED.
        [seeded.runs.acme, 'COMPLETED'],
      ]);
      expect(res.text).toContain('Acme AS</a> <span class="muted small">#42</span>');
      expect(res.text).toContain('Ola Nordmann');
      expect(res.text).toMatch(
        /data-run="[^"]+" data-status="COMPLETED">.*<td class="num">2<\/td>/,
      );
      // The fields by name (SO_UDF_*), the UDF key as the tooltip.
      expect(res.text).toContain(
        '<span class="field" title="SuperOffice:1">Vertical</span>, <span class="field" title="SuperOffice:2">Summary</span>',
      );
      expect(res.text).toContain(`href="/admin/runs/42/${seeded.runs.acme}"`);
      expectNoSecrets(res.text);
    });

    it('filters by status', async () => {
      const res = await get('/admin?status=FAILED');
      expect(runRows(res.text)).toEqual([[seeded.runs.globex, 'FAILED']]);
      expect(res.text).toContain('<option value="FAILED" selected>');
    });

    it('filters by account name (part, any case) or id, and both filters together', async () => {
      expect(runRows((await get('/admin?account=acme')).text)).toEqual([
        [seeded.runs.acme, 'COMPLETED'],
      ]);
      expect(runRows((await get('/admin?account=77')).text)).toEqual([
        [seeded.runs.globex, 'FAILED'],
      ]);
      const none = await get('/admin?account=acme&status=FAILED');
      expect(runRows(none.text)).toEqual([]);
      expect(none.text).toContain('No sync runs match.');
      expect(none.text).toContain('name="account" value="acme"');
    });

    it('escapes what it shows from the query string', async () => {
      const res = await get(`/admin?account=${encodeURIComponent('"><script>alert(1)</script>')}`);
      expect(res.text).not.toContain('<script>alert(1)');
      expect(res.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    });

    it('shows the webhook health: each webhook’s state, the last error, last check and alerts', async () => {
      const res = await get('/admin');
      const section = /<table id="webhook-health">[\s\S]*?<\/section>/.exec(res.text)?.[0] ?? '';
      expect(section).toContain('so-connector contacts');
      expect(section).toContain('<td class="state-ok">Active</td>');
      expect(section).toContain('<td class="state-bad">TooManyErrors</td>');
      expect(section).toContain(
        '503 from https://hooks.example.test/webhooks/superoffice?token=[REDACTED]',
      );
      expect(section).toMatch(/alerts \(re-activations\)<\/th><td>3/);
      expect(section).toContain(`<time datetime="${new Date(seeded.now - 60_000).toISOString()}">`);
      expectNoSecrets(res.text);
    });

    it('shows the queue counts of so-events, so-enrich and so-maintenance', async () => {
      const res = await get('/admin');
      const row = (queue: string) =>
        new RegExp(`<tr data-queue="${queue}">.*?</tr>`).exec(res.text)?.[0] ?? '';
      const numbers = (queue: string) =>
        [...row(queue).matchAll(/<td class="num[^"]*">(\d+)<\/td>/g)].map((m) => Number(m[1]));
      // waiting, delayed, active, failed. so-events holds the two seeded jobs and the one the
      // webhook test above may have accepted.
      expect(numbers('so-events')[0]).toBeGreaterThanOrEqual(2);
      expect(numbers('so-enrich')).toEqual([1, 0, 0, 1]);
      expect(numbers('so-maintenance')).toEqual([0, 0, 0, 0]);
    });

    it('draws the last 24 hours of activity as inline SVG (older buckets left out)', async () => {
      const res = await get('/admin');
      expect(res.text).toMatch(/<svg class="chart"[^>]*role="img"/);
      expect(res.text).toContain('data-kind="events" data-total="3"');
      expect(res.text).toContain('data-kind="enrichments" data-total="1"');
      expect(res.text).toContain('data-kind="skips" data-total="2"');
    });
  });

  describe('/admin/runs/:accountId/:runId', () => {
    const get = (path: string) => supertest(sut.url).get(path).set('Authorization', basicAuth());

    it('shows every event of the run with decision, reason, calls, old → new values and job links', async () => {
      const res = await get(`/admin/runs/42/${seeded.runs.acme}`);
      expect(res.status).toBe(200);
      const rows = [...res.text.matchAll(/<tr data-entry="([^"]+)">/g)].map((m) => m[1]);
      expect(rows).toEqual([
        EVENT_IDS.acmeChanged,
        `enrich:${ENRICH_JOB_IDS.acme}`,
        EVENT_IDS.acmeEcho,
      ]);
      expect(res.text).toContain('relevant: name changed');
      expect(res.text).toContain('echo: changed by the connector itself');
      expect(res.text).toContain('written — builtin provider');
      expect(res.text).toContain('>3 / 1 / 1</span>');
      expect(res.text).toContain(
        '<b><span class="field" title="SuperOffice:1">Vertical</span></b>: <span class="old">Unknown</span> → <span class="new">Software &amp; IT</span>',
      );
      // A value from SuperOffice is text, never markup.
      expect(res.text).toContain('Makes &lt;b&gt;widgets&lt;/b&gt; for everyone');
      expect(res.text).toContain(`href="/admin/queues/queue/so-events/${EVENT_IDS.acmeChanged}"`);
      expect(res.text).toContain(`href="/admin/queues/queue/so-enrich/${ENRICH_JOB_IDS.acme}"`);
    });

    it('shows a failed run’s error, with credentials redacted', async () => {
      const res = await get(`/admin/runs/77/${seeded.runs.globex}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<span class="status status-FAILED">FAILED</span>');
      expect(res.text).toContain(
        'SuperOffice answered 400 Bad Request: invalid UDF value (sent with Bearer [REDACTED])',
      );
      expectNoSecrets(res.text);
    });

    it.each([
      ['/admin/runs/42/no-such-run', 'Sync run not found'],
      ['/admin/runs/abc/x', 'Not found'],
    ])('answers 404 for %s', async (path, title) => {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(res.text).toContain(`<h1>${title}</h1>`);
    });
  });

  describe('/admin/jobs/:queue/:jobId', () => {
    const get = (path: string) => supertest(sut.url).get(path).set('Authorization', basicAuth());

    it.each([
      ['so-events', EVENT_IDS.acmeChanged, () => `/admin/runs/42/${seeded.runs.acme}`],
      ['so-enrich', ENRICH_JOB_IDS.acme, () => `/admin/runs/42/${seeded.runs.acme}`],
      ['so-enrich', ENRICH_JOB_IDS.globex, () => `/admin/runs/77/${seeded.runs.globex}`],
    ])('redirects a %s job %s to its sync run', async (queue, jobId, target) => {
      const res = await get(`/admin/jobs/${queue}/${jobId}`);
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe(target());
    });

    it('answers 404, with a link back to Bull Board, for a job no run refers to', async () => {
      const res = await get('/admin/jobs/so-events/00000000-0000-0000-0000-000000000000');
      expect(res.status).toBe(404);
      expect(res.text).toContain(
        'href="/admin/queues/queue/so-events/00000000-0000-0000-0000-000000000000"',
      );
      expect((await get('/admin/jobs/no-such-queue/1')).status).toBe(404);
    });
  });
});

describe('admin UI with an empty Redis', () => {
  it('says "no check yet" for the webhook and draws an empty chart', async () => {
    const sut = await startAdminReceiver({ redisUrl: redis.url, prefix: `${redis.prefix}-empty` });
    try {
      const res = await supertest(sut.url).get('/admin').set('Authorization', basicAuth());
      expect(res.status).toBe(200);
      expect(res.text).toContain('no check yet');
      expect(res.text).toContain('No sync runs match.');
      expect(res.text).toContain('data-kind="events" data-total="0"');
    } finally {
      await sut.close();
    }
  });
});

describe('admin UI while Redis is down', () => {
  it('answers 503 with a banner instead of failing, and recovers when Redis is back', async () => {
    const server = await startRedisServer();
    const prefix = `${redis.prefix}-down`;
    await seedAdminData(server.url, prefix);
    const sut = await startAdminReceiver({ redisUrl: server.url, prefix });
    try {
      const cookie = await login(sut.url);
      await server.kill();
      const res = await supertest(sut.url).get('/admin').set('Cookie', cookie);
      expect(res.status).toBe(503);
      expect(res.text).toContain('<div class="banner" role="alert">Redis is not reachable');
      expect(res.text).toContain('The sync runs could not be read');
      expect(res.text).toContain('The queue counts could not be read');

      const detail = await supertest(sut.url).get('/admin/runs/42/x').set('Cookie', cookie);
      expect(detail.status).toBe(503);

      // The webhook still answers (its event goes to the disk spool).
      const delivery = signedDelivery(aContactChangedEvent({ changes: ['name'] }));
      const hook = await supertest(sut.url)
        .post('/webhooks/superoffice')
        .set(delivery.headers)
        .send(delivery.text);
      expect(hook.status).toBe(200);

      await server.start();
      await waitFor(
        async () => {
          const page = await supertest(sut.url).get('/admin').set('Cookie', cookie);
          // Thrown with the parts the page could not read and the receiver's last word on why, so
          // a timeout says which read failed and how.
          if (page.status !== 200)
            throw new Error(
              `status ${page.status}: ${(page.text.match(/The [^.<]+ could not be read/g) ?? ['no part named']).join('; ')}; ${sut.logLines
                .filter((line) => line.includes('could not read from Redis'))
                .slice(-2)
                .join(' ')}`,
            );
          return true;
        },
        { timeoutMs: 30_000, what: 'the dashboard to recover' },
      );
    } finally {
      await sut.close();
      await server.dispose();
    }
  }, 60_000);
});
