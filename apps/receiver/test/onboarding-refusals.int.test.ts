import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdTokenFault } from '@so-connector/superoffice-simulator';
import { TenantStore } from '@so-connector/tenants';
import { OAuthStateStore, STATE_TTL_MS, sha256Hex } from '../src/oauth/state-store';
import { callback, connect, consent, useOnboardingSetups } from './onboarding-flow';
import { SIM_TENANT, simSeed } from './onboarding-harness';

// What onboarding refuses, over real sockets (receiver, simulator, Redis): each refusal is its own
// page and stores nothing.

const setUp = useOnboardingSetups();

describe('onboarding refuses', () => {
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

  it('never stores a tenant that TENANTS_FILE defines (the file would shadow it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'so-onboard-file-'));
    try {
      const file = join(dir, 'tenants.yaml');
      writeFileSync(
        file,
        `tenants:\n  - contextIdentifier: ${SIM_TENANT}\n    webhookSecrets: ["from-the-file"]\n    refreshToken: "rt"\n    udf: { summary: "SuperOffice:84" }\n`,
      );
      const s = await setUp({ receiverEnv: { TENANTS_FILE: file } });
      const { authorizeUrl, binding } = await connect(s);
      const page = await callback(await consent(authorizeUrl, 'allow'), binding);
      expect(page.status).toBe(409);
      expect(page.text).toContain('is defined in TENANTS_FILE');
      expect((await s.store.load()).tenants).toEqual([]);
      expect(s.sim.webhooks()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
