import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aTestEvent,
  aWebhookEvent,
  freePort,
  signWebhookBody,
  askRedis,
  startRedisServer,
  TEST_TENANT,
  waitFor,
  type RedisProcess,
} from '@so-connector/testing';
import { credentialsSent, deliver, generateCorpus, judge, type Outcome } from './bad-input-corpus';
import { startApp, type ProductProcess } from './processes';
import { signIns, startTopologyRedis, TOPOLOGIES, type TopologyRedis } from './topologies';

// Issue 6, "Security checks", on the built receiver process: no secret reaches its output or its
// admin pages, and the admin routes refuse missing and wrong credentials. Redis is a private one
// with an ACL user whose password is in REDIS_URL (as with a managed Redis): a secret too. Then the
// same on a 6-node Redis Cluster and a Sentinel setup (issue 13), where the ACL user's password is
// REDIS_PASSWORD beside REDIS_CLUSTER_NODES or REDIS_SENTINELS: no more to be seen than the others.
const SECRETS = ['security-current-secret-5e1f0c77', 'security-previous-secret-a27d4419'] as const;
const TOKEN = 'security-legacy-token-c0ffee11';
const ADMIN = { user: 'ops-admin', password: 'security-admin-password-81f3' };
const REDIS_USER = { name: 'so-connector', password: 'security-redis-password-7d02b6' };

describe.each(TOPOLOGIES)('%s Redis', (topology) => {
  let redis: RedisProcess | undefined;
  /** The Cluster or Sentinel setup (undefined on one redis-server). */
  let topologyRedis: TopologyRedis | undefined;
  let receiver: ProductProcess;
  let port: number;
  let spoolDir: string;
  const agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: 60_000 });

  /** Every credential-like value sent to the receiver: none may appear in its output. */
  const sent = new Set<string>([...SECRETS, TOKEN, ADMIN.password, REDIS_USER.password]);
  /** Every admin page or API answer fetched with valid credentials. */
  const pages: { path: string; body: string }[] = [];

  interface Reply {
    readonly status: number;
    readonly headers: IncomingHttpHeaders;
    readonly body: string;
  }

  function call(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Reply> {
    for (const [name, value] of Object.entries(headers))
      if (/^(authorization|x-superoffice-signature|cookie)$/i.test(name)) sent.add(value);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent: false,
          timeout: 10_000,
          headers:
            body === undefined
              ? headers
              : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path} within 10 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  const HTML = { accept: 'text/html,application/xhtml+xml' };
  const JSON_ACCEPT = { accept: 'application/json' };

  function postEvent(event: object, options: { secret?: string; path?: string } = {}) {
    const text = JSON.stringify(event);
    return call(
      'POST',
      options.path ?? '/webhooks/superoffice',
      {
        'content-type': 'application/json',
        ...(options.secret === undefined
          ? {}
          : { 'x-superoffice-signature': signWebhookBody(text, options.secret) }),
      },
      text,
    );
  }

  beforeAll(async () => {
    let redisEnv: Record<string, string>;
    if (topology === 'single') {
      redis = await startRedisServer({ aclUser: REDIS_USER });
      redisEnv = {
        REDIS_URL: redis.url.replace('://', `://${REDIS_USER.name}:${REDIS_USER.password}@`),
      };
    } else {
      topologyRedis = await startTopologyRedis(topology);
      sent.add(topologyRedis.aclUser.password);
      redisEnv = {
        REDIS_URL: topologyRedis.url,
        QUEUE_PREFIX: topologyRedis.freshPrefix(),
        ...topologyRedis.env,
      };
    }
    port = await freePort();
    spoolDir = mkdtempSync(join(tmpdir(), 'so-security-spool-'));
    receiver = startApp('receiver', {
      PORT: String(port),
      ...redisEnv,
      SO_CONTEXT_IDENTIFIER: TEST_TENANT,
      WEBHOOK_SECRET: SECRETS.join(','),
      WEBHOOK_TOKEN: TOKEN,
      ADMIN_USER: ADMIN.user,
      ADMIN_PASSWORD: ADMIN.password,
      SPOOL_DIR: spoolDir,
      LOG_LEVEL: 'silly',
    });
    await waitFor(async () => (await call('GET', '/readyz')).status === 200, {
      timeoutMs: 15_000,
      what: 'the receiver',
    });
  }, 60_000);

  afterAll(async () => {
    await receiver?.kill();
    agent.destroy();
    await redis?.dispose();
    await topologyRedis?.dispose();
    if (spoolDir) rmSync(spoolDir, { recursive: true, force: true });
  });

  /** Runs in file order: the output is scanned last, after everything was sent. */
  describe('the running receiver keeps its secrets', () => {
    const marker = `marker-${randomUUID()}`;

    it('accepts a normal run of valid events (current and previous secret, token, alias, ping)', async () => {
      const planted = aWebhookEvent({
        WebhookName: marker,
        // A payload that happens to carry credentials: the admin pages must redact them.
        FieldValues: { note: `see ${SECRETS[0]}`, apiToken: TOKEN, orgnr: '918273600' },
      });
      const replies = [
        await postEvent(aWebhookEvent(), { secret: SECRETS[0] }),
        await postEvent(aWebhookEvent(), { secret: SECRETS[1] }),
        await postEvent(aWebhookEvent(), { path: `/webhooks/superoffice?token=${TOKEN}` }),
        await postEvent(aWebhookEvent(), { secret: SECRETS[0], path: '/connector/webhook' }),
        await postEvent(planted, { secret: SECRETS[1] }),
      ];
      expect(
        replies.map((r) => [r.status, (JSON.parse(r.body) as { status: string }).status]),
      ).toEqual(Array.from({ length: 5 }, () => [200, 'accepted']));
      const ping = await postEvent(aTestEvent(), { secret: 'the-secret-being-registered' });
      expect([ping.status, (JSON.parse(ping.body) as { status: string }).status]).toEqual([
        200,
        'ignored',
      ]);
      if (redis) {
        // The receiver signed in as REDIS_URL's user (its connections are named so-connector:…).
        const clients = String(await askRedis(redis.port, (r) => r.client('LIST')))
          .split('\n')
          .filter((line) => / name=so-connector:/.test(line));
        expect(clients.length).toBeGreaterThan(0);
        expect(clients.filter((line) => !line.includes(` user=${REDIS_USER.name} `))).toEqual([]);
      } else {
        // On every data node: signed in as REDIS_USERNAME, and no connection on the open user.
        const who = await signIns(topologyRedis!);
        expect(who.asAclUser).toBeGreaterThan(0);
        expect(who.unexplained).toEqual([]);
      }
    });

    it('refuses a slice of the bad-input corpus with clear 4xx answers', async () => {
      const corpus = generateCorpus({
        seed: 0x5ec,
        secret: SECRETS[0],
        token: TOKEN,
        tenant: TEST_TENANT,
      })
        .filter((c) => c.transport !== 'slow')
        .filter((_c, i) => i % 6 === 0);
      const outcomes = new Map<number, Outcome>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < corpus.length) {
            const c = corpus[next++]!;
            outcomes.set(c.id, await deliver(c, { port, agent }));
          }
        }),
      );
      for (const c of corpus) for (const value of credentialsSent(c)) sent.add(value);
      const problems = corpus.flatMap((c) =>
        judge(c, outcomes.get(c.id) ?? { error: 'not sent' }, [
          ...SECRETS,
          TOKEN,
          ADMIN.password,
        ]).map((p) => `#${c.id} ${c.category} (${c.label}): ${p}`),
      );
      expect(corpus.length).toBeGreaterThan(1500);
      expect(problems).toEqual([]);
    });

    describe('admin routes', () => {
      const API = '/admin/queues/api/queues';

      it('refuse a request without credentials: 401 for the API, a redirect to the login for pages', async () => {
        const api = await call('GET', API, JSON_ACCEPT);
        expect(api.status).toBe(401);
        expect(api.headers['www-authenticate']).toMatch(/^Basic realm=/);
        // Bull Board's own fetch() gets no Basic challenge (it would pop up the browser's dialog).
        const fetched = await call('GET', API, { ...JSON_ACCEPT, 'sec-fetch-mode': 'cors' });
        expect([fetched.status, fetched.headers['www-authenticate']]).toEqual([401, undefined]);
        for (const path of ['/admin', '/admin/queues', '/admin/runs/18/x']) {
          const page = await call('GET', path, HTML);
          expect([path, page.status, page.headers.location]).toEqual([
            path,
            303,
            `/admin/login?next=${encodeURIComponent(path)}`,
          ]);
          expect((await call('GET', path)).status).toBe(401);
        }
        const write = await call('PUT', `${API}/so-events/pause`);
        expect(write.status).toBe(401);
      });

      it.each([
        ['a wrong password', { authorization: basic(ADMIN.user, 'security-admin-password-81f4') }],
        ['a wrong user', { authorization: basic('admin', ADMIN.password) }],
        ['the password with a suffix', { authorization: basic(ADMIN.user, `${ADMIN.password} `) }],
        ['the webhook secret as password', { authorization: basic(ADMIN.user, SECRETS[0]) }],
        ['an empty password', { authorization: basic(ADMIN.user, '') }],
        ['a malformed Basic header', { authorization: 'Basic !!!not-base64!!!' }],
        ['a Bearer token', { authorization: `Bearer ${TOKEN}-bearer-value` }],
        [
          'a forged session cookie',
          { cookie: `so_admin=${Date.now() + 3_600_000}.${'A'.repeat(43)}` },
        ],
      ])(
        'refuse %s with 401 (API) and 401 or the login redirect (pages)',
        async (_label, credentials) => {
          const [api, page, queuesPage] = await Promise.all([
            call('GET', API, { ...JSON_ACCEPT, ...credentials }),
            call('GET', '/admin', { ...HTML, ...credentials }),
            call('GET', '/admin/queues', { ...HTML, ...credentials }),
          ]);
          expect(api.status).toBe(401);
          for (const reply of [page, queuesPage]) {
            if (reply.status === 303)
              expect(reply.headers.location).toMatch(/^\/admin\/login\?next=/);
            else expect(reply.status).toBe(401);
            expect(reply.body).not.toContain(marker);
          }
          // Wrong Basic credentials are refused outright; only a missing login is redirected.
          if ('authorization' in credentials) expect(page.status).toBe(401);
          expect(api.body).not.toContain(marker);
        },
      );

      it('refuse a login form with a wrong password, and accept the right one with a session cookie', async () => {
        const form = (password: string) =>
          new URLSearchParams({ user: ADMIN.user, password, next: '/admin' }).toString();
        const formHeaders = {
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
        };
        const wrongPassword = 'wrong-password-typed-by-someone';
        sent.add(wrongPassword);
        const wrong = await call('POST', '/admin/login', formHeaders, form(wrongPassword));
        expect(wrong.status).toBe(401);
        expect(wrong.headers['set-cookie']).toBeUndefined();
        expect(wrong.body).not.toContain(wrongPassword);

        const right = await call('POST', '/admin/login', formHeaders, form(ADMIN.password));
        expect([right.status, right.headers.location]).toEqual([303, '/admin']);
        const cookie = right.headers['set-cookie']?.find((c) => c.startsWith('so_admin='));
        expect(cookie).toMatch(/HttpOnly/i);
        expect(cookie).toMatch(/SameSite=Strict/i);
        const session = cookie!.split(';')[0]!;
        expect(session).not.toContain(ADMIN.password);
        const page = await call('GET', '/admin', { ...HTML, cookie: session });
        expect(page.status).toBe(200);
        pages.push({ path: '/admin (session)', body: page.body });
      });

      it('serve the dashboard, Bull Board and its API to valid credentials without any secret in them', async () => {
        const authorization = basic(ADMIN.user, ADMIN.password);
        for (const [path, accept] of [
          ['/admin', HTML],
          ['/admin/queues', HTML],
          ['/admin/login', HTML],
          [`${API}?activeQueue=so-events&status=waiting&page=1&jobsPerPage=50`, JSON_ACCEPT],
        ] as const) {
          const reply = await call('GET', path, { ...accept, authorization });
          expect([path, reply.status]).toEqual([path, 200]);
          pages.push({ path, body: `${JSON.stringify(reply.headers)}\n${reply.body}` });
        }
        // The planted event is listed (so its data was on the page), with the credentials redacted.
        const api = pages.at(-1)!.body;
        expect(api).toContain(marker);
        expect(api).toContain('[REDACTED]');
        for (const { path, body } of pages) {
          const found = [...sent].filter((value) => value.length >= 12 && body.includes(value));
          expect([path, found]).toEqual([path, []]);
        }
      });
    });

    it('writes no secret, token, password or signature it was sent to its output', async () => {
      // A refused delivery's EventId header is logged: values sent do reach the log when logged.
      const probe = `probe-${randomUUID()}`;
      const text = JSON.stringify(aWebhookEvent());
      const refused = await call(
        'POST',
        '/webhooks/superoffice',
        {
          'content-type': 'application/json',
          'x-superoffice-signature': 'nope',
          'x-superoffice-eventid': probe,
        },
        text,
      );
      expect(refused.status).toBe(401);
      await waitFor(() => receiver.output().includes(probe), { what: 'the refusal in the output' });

      const output = receiver.output();
      const lines = output.split('\n').filter(Boolean);
      expect(lines.filter((l) => l.includes('webhook refused')).length).toBeGreaterThan(1000);
      expect(lines.some((l) => l.includes('admin request with wrong credentials refused'))).toBe(
        true,
      );
      expect(lines.some((l) => l.includes('admin login failed'))).toBe(true);
      const needles = [...sent].filter((value) => value.length >= 12);
      expect(needles.length).toBeGreaterThan(500);
      const leaks = needles.flatMap((needle) => {
        const line = lines.find((l) => l.includes(needle));
        return line ? [`${needle.slice(0, 12)}… in ${line.slice(0, 200)}`] : [];
      });
      expect(leaks).toEqual([]);
      // Nothing in the output looks like a credential either, whatever its value.
      expect(lines.filter((l) => /\b(Bearer|Basic) [A-Za-z0-9+/=._-]{8,}/.test(l))).toEqual([]);
    });
  });
});
