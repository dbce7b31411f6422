import { createHmac } from 'node:crypto';
import type { IdTokenFault } from '@so-connector/superoffice-simulator';
import { TenantStore } from '@so-connector/tenants';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { OAuthStateStore, STATE_TTL_MS, sha256Hex } from '../src/oauth/state-store';
import { clearPrefix, login } from './admin-harness';
import {
  SIM_TENANT,
  simSeed,
  startHookTarget,
  startOnboarding,
  type OnboardingSetup,
} from './onboarding-harness';

// The whole onboarding over real sockets: the receiver (admin UI, /oauth/callback), the
// simulator's authorize page, code exchange and JWKS, and real Redis. The browser is played by
// fetch with manual redirects, so each hop can be checked; the Playwright test clicks it through.

let redis: TestRedis;
let run = 0;
const setups: OnboardingSetup[] = [];

beforeAll(async () => {
  redis = await useTestRedis();
});
afterAll(async () => {
  if (redis) for (let i = 1; i <= run; i++) await clearPrefix(redis.url, `${redis.prefix}-onb${i}`);
  await redis?.cleanup();
});
afterEach(async () => {
  for (const setup of setups.splice(0)) await setup.close();
});

async function setUp(
  options: Omit<Parameters<typeof startOnboarding>[0], 'redisUrl' | 'prefix'> = {},
) {
  const prefix = `${redis.prefix}-onb${++run}`;
  const setup = await startOnboarding({ redisUrl: redis.url, prefix, ...options });
  setups.push(setup);
  return { ...setup, prefix, cookie: await login(setup.sut.url) };
}

type Setup = Awaited<ReturnType<typeof setUp>>;

/** POST /admin/tenants/connect → the authorize URL and the browser-binding cookie. */
async function connect(s: Setup): Promise<{ authorizeUrl: string; binding: string }> {
  const res = await fetch(`${s.sut.url}/admin/tenants/connect`, {
    method: 'POST',
    headers: {
      cookie: s.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
    },
    body: '',
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const set = res.headers.getSetCookie().find((c) => c.startsWith('so_oauth='))!;
  expect(set).toMatch(/HttpOnly/i);
  expect(set).toMatch(/SameSite=Lax/i);
  expect(set).toMatch(/Path=\/oauth\/callback/);
  return {
    authorizeUrl: res.headers.get('location')!,
    binding: set.split(';')[0]!.slice('so_oauth='.length),
  };
}

/** The admin's answer on the simulator's consent page → where the browser is sent back to. */
async function consent(authorizeUrl: string, decision: 'allow' | 'deny'): Promise<string> {
  const page = await (await fetch(authorizeUrl)).text();
  const id = /name="consent" value="([0-9a-f]+)"/.exec(page)?.[1];
  if (!id) throw new Error(`no consent form: ${page}`);
  const res = await fetch(new URL('/login/common/oauth/authorize/decision', authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ consent: id, decision }).toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  return res.headers.get('location')!;
}

async function callback(url: string, binding: string | undefined) {
  const res = await fetch(url, {
    headers: binding ? { cookie: `so_oauth=${binding}` } : {},
    redirect: 'manual',
  });
  return { status: res.status, text: await res.text() };
}

describe('onboarding a SuperOffice tenant', () => {
  it('stores the tenant, registers its webhook with a fresh secret and discovers its UDF map', async () => {
    const hook = await startHookTarget();
    try {
      const s = await setUp({ webhookPublicUrl: hook.publicUrl });
      const { authorizeUrl, binding } = await connect(s);
      const authorize = new URL(authorizeUrl);
      expect(authorize.origin).toBe(s.sim.url);
      expect(authorize.searchParams.get('redirect_uri')).toBe(s.redirectUri);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const back = await consent(authorizeUrl, 'allow');
      expect(back.startsWith(`${s.redirectUri}?`)).toBe(true);
      const page = await callback(back, binding);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`Connected ${SIM_TENANT}`);
      expect(page.text).toContain('so-connector --tenant Cust777 backfill --target-empty');

      const tenant = await s.store.get(SIM_TENANT);
      expect(tenant).toMatchObject({
        contextIdentifier: SIM_TENANT,
        credentials: { kind: 'refresh-token', refreshToken: s.sim.client.refreshToken },
        apiBaseUrl: s.sim.apiBaseUrl(),
        tokenUrl: s.sim.tokenUrl,
        udf: {
          vertical: 'SuperOffice:83',
          summary: 'SuperOffice:84',
          opener: 'SuperOffice:85',
          personOpener: 'SuperOffice:91',
        },
      });
      const secret = tenant!.webhookSecrets[0]!;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // Registered on the tenant's own route under WEBHOOK_PUBLIC_URL, signed with the stored secret.
      const target = `${hook.publicUrl}/${SIM_TENANT}`;
      expect(s.sim.webhooks()).toEqual([
        expect.objectContaining({ TargetUrl: target, Secret: secret, State: 'Active' }),
      ]);
      expect(hook.pings).toHaveLength(1);
      const ping = hook.pings[0]!;
      expect(ping.path).toBe(`/so/webhooks/superoffice/${SIM_TENANT}`);
      expect(ping.signature).toBe(createHmac('sha256', secret).update(ping.body).digest('base64'));

      // No secret on the page; none in Redis in clear text.
      expect(page.text).not.toContain(secret);
      expect(page.text).not.toContain(s.sim.client.refreshToken);
      const keys = await s.redis.keys(`${s.prefix}:*`);
      for (const key of keys) {
        const type = await s.redis.type(key);
        const dump =
          type === 'hash'
            ? JSON.stringify(await s.redis.hgetall(key))
            : type === 'string'
              ? ((await s.redis.get(key)) ?? '')
              : '';
        expect(dump).not.toContain(secret);
        expect(dump).not.toContain(s.sim.client.refreshToken);
      }

      // The state is single use: the same answer a second time is refused and changes nothing.
      const again = await callback(back, binding);
      expect(again.status).toBe(400);
      expect(again.text).toContain('Unknown or already used sign-in');
      expect(s.sim.webhooks()).toHaveLength(1);
    } finally {
      await hook.stop();
    }
  });

  it('derives the webhook URL from SO_REDIRECT_URI without WEBHOOK_PUBLIC_URL', async () => {
    const s = await setUp();
    const { authorizeUrl, binding } = await connect(s);
    const page = await callback(await consent(authorizeUrl, 'allow'), binding);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`${s.sut.url}/webhooks/superoffice/${SIM_TENANT}`);
    expect(await s.store.get(SIM_TENANT)).toBeDefined();
  }, 20_000);

  it('keeps the tenant and shows the command to register the webhook when SuperOffice cannot save it', async () => {
    const hook = await startHookTarget();
    hook.status.code = 500;
    try {
      const s = await setUp({ webhookPublicUrl: hook.publicUrl });
      const { authorizeUrl, binding } = await connect(s);
      const page = await callback(await consent(authorizeUrl, 'allow'), binding);
      const target = `${hook.publicUrl}/${SIM_TENANT}`;
      expect(page.status).toBe(200);
      expect(page.text).toContain('could not be registered');
      expect(page.text).toContain(
        `so-connector --tenant ${SIM_TENANT} webhooks register --url ${target} --secret-from-config`,
      );
      // SuperOffice's save was tried three times (the receiver may not know the tenant yet).
      expect(hook.pings).toHaveLength(3);
      expect(s.sim.webhooks()).toEqual([]);
      expect(await s.store.get(SIM_TENANT)).toBeDefined();
    } finally {
      await hook.stop();
    }
  }, 20_000);

  it('asks the admin to pick the fields discovery did not find, and saves the choice', async () => {
    const s = await setUp({ seed: simSeed({ summary: 'Notes', opener: 'Remarks' }) });
    const { authorizeUrl, binding } = await connect(s);
    const page = await callback(await consent(authorizeUrl, 'allow'), binding);
    expect(page.text).toContain('Pick the fields');
    expect((await s.store.get(SIM_TENANT))?.udf).toEqual({
      vertical: 'SuperOffice:83',
      summary: undefined,
      opener: undefined,
      personOpener: 'SuperOffice:91',
    });
    const save = (body: Record<string, string>) =>
      fetch(`${s.sut.url}/admin/tenants/${SIM_TENANT}/udf`, {
        method: 'POST',
        headers: {
          cookie: s.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams(body).toString(),
      });
    const wrong = await save({ vertical: 'SuperOffice:84', summary: 'SuperOffice:84' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('vertical: SuperOffice:84 is not a Contact list field');
    const ok = await save({
      vertical: 'SuperOffice:83',
      summary: 'SuperOffice:84',
      opener: 'SuperOffice:85',
      personOpener: '',
    });
    expect(ok.status).toBe(200);
    expect((await s.store.get(SIM_TENANT))?.udf).toEqual({
      vertical: 'SuperOffice:83',
      summary: 'SuperOffice:84',
      opener: 'SuperOffice:85',
      personOpener: undefined,
    });
    // Another site cannot post the form.
    const cross = await fetch(`${s.sut.url}/admin/tenants/${SIM_TENANT}/udf`, {
      method: 'POST',
      headers: {
        cookie: s.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'cross-site',
      },
      body: 'vertical=',
    });
    expect(cross.status).toBe(403);
  });

  it('stores nothing when the admin denies consent', async () => {
    const s = await setUp();
    const { authorizeUrl, binding } = await connect(s);
    const back = await consent(authorizeUrl, 'deny');
    expect(new URL(back).searchParams.get('error')).toBe('access_denied');
    const page = await callback(back, binding);
    expect(page.status).toBe(403);
    expect(page.text).toContain('Consent was not given');
    expect((await s.store.load()).tenants).toEqual([]);
    expect(s.sim.webhooks()).toEqual([]);
  });

  it.each<IdTokenFault>([
    'bad-signature',
    'wrong-issuer',
    'wrong-audience',
    'expired',
    'wrong-nonce',
    'no-ctx',
  ])('stores nothing when the id_token is invalid (%s)', async (fault) => {
    const s = await setUp();
    s.sim.oauth.idTokenFault = fault;
    const { authorizeUrl, binding } = await connect(s);
    const page = await callback(await consent(authorizeUrl, 'allow'), binding);
    expect(page.status).toBe(502);
    expect(page.text).toContain('The id_token is not valid');
    expect((await s.store.load()).tenants).toEqual([]);
    expect(s.sim.webhooks()).toEqual([]);
  });

  it('refuses an answer from another browser, a forged state and an expired one', async () => {
    const s = await setUp();
    const first = await connect(s);
    const other = await callback(await consent(first.authorizeUrl, 'allow'), 'not-the-cookie');
    expect(other.status).toBe(400);
    expect(other.text).toContain('Started in another browser');

    const forged = await callback(`${s.redirectUri}?code=x&state=forged-state`, first.binding);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('Unknown or already used sign-in');

    // A state made 11 minutes ago, as the connect step would have stored it.
    const states = new OAuthStateStore(s.redis, s.prefix, () => Date.now());
    await states.put('old-state', {
      verifier: 'v'.repeat(43),
      nonce: 'n',
      browser: sha256Hex('b'),
      createdAt: Date.now() - STATE_TTL_MS - 60_000,
    });
    const expired = await callback(`${s.redirectUri}?code=x&state=old-state`, 'b');
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('The sign-in expired');
    expect(s.sim.oauth.codesExchanged).toBe(0);
    expect((await s.store.load()).tenants).toEqual([]);
  });

  it('answers a page, not a stack, when a stored tenant cannot be read', async () => {
    const s = await setUp();
    const otherKey = new TenantStore({
      redis: s.redis,
      prefix: s.prefix,
      secretsKey: Buffer.alloc(32, 1),
    });
    const { authorizeUrl, binding } = await connect(s);
    await callback(await consent(authorizeUrl, 'allow'), binding);
    const tenant = (await s.store.get(SIM_TENANT))!;
    await otherKey.put(tenant);
    const res = await fetch(`${s.sut.url}/admin/tenants/${SIM_TENANT}/udf`, {
      method: 'POST',
      headers: {
        cookie: s.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'same-origin',
      },
      body: 'vertical=',
    });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).toContain('Onboarding failed');
    expect(text).not.toContain(tenant.webhookSecrets[0]!);
    expect(
      s.sut.logLines.some(
        (l) => l.includes('onboarding failed') && l.includes('TENANT_SECRETS_KEY'),
      ),
    ).toBe(true);
  }, 20_000);

  it('refuses to onboard without TENANT_SECRETS_KEY, saying so', async () => {
    const s = await setUp({ withSecretsKey: false });
    const page = await fetch(`${s.sut.url}/admin/tenants/connect`, {
      headers: { cookie: s.cookie },
    });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('TENANT_SECRETS_KEY is not set');
    const post = await fetch(`${s.sut.url}/admin/tenants/connect`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'sec-fetch-site': 'same-origin' },
      redirect: 'manual',
    });
    expect(post.status).toBe(503);
    expect(s.sim.counters.get('GET authorize')).toBe(0);
  });

  it('never replaces the environment’s tenant', async () => {
    const s = await setUp({ seed: { ...simSeed(), contextIdentifier: 'Cust12345' } });
    const { authorizeUrl, binding } = await connect(s);
    const page = await callback(await consent(authorizeUrl, 'allow'), binding);
    expect(page.status).toBe(409);
    expect(page.text).toContain('Configured by the operator');
    expect((await s.store.load()).tenants).toEqual([]);
  });

  it('keeps the webhook secret and UDF map of a tenant that consents again', async () => {
    const hook = await startHookTarget();
    try {
      const s = await setUp({ webhookPublicUrl: hook.publicUrl });
      const once = await connect(s);
      await callback(await consent(once.authorizeUrl, 'allow'), once.binding);
      const before = await s.store.get(SIM_TENANT);
      await s.store.update(SIM_TENANT, (t) => ({
        ...t,
        credentials: { kind: 'refresh-token', refreshToken: 'revoked-token' },
      }));
      const twice = await connect(s);
      const page = await callback(await consent(twice.authorizeUrl, 'allow'), twice.binding);
      expect(page.text).toContain(`Re-connected ${SIM_TENANT}`);
      const after = await s.store.get(SIM_TENANT);
      expect(after?.webhookSecrets).toEqual(before?.webhookSecrets);
      expect(after?.udf).toEqual(before?.udf);
      expect(after?.credentials).toEqual({
        kind: 'refresh-token',
        refreshToken: s.sim.client.refreshToken,
      });
      expect(s.sim.webhooks()).toHaveLength(1);
    } finally {
      await hook.stop();
    }
  });
});
