import { createHmac } from 'node:crypto';
import { callback, connect, consent, useOnboardingSetups } from './onboarding-flow';
import { SIM_TENANT, simSeed, startHookTarget } from './onboarding-harness';

// The whole onboarding over real sockets: the receiver (admin UI, /oauth/callback), the
// simulator's authorize page, code exchange and JWKS, and real Redis. What it refuses is in
// onboarding-refusals.int.test.ts.

const setUp = useOnboardingSetups();

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

  it("gives a webhook left on a new tenant's route (a removed tenant's, or one made by hand) the stored secret", async () => {
    const hook = await startHookTarget();
    try {
      const s = await setUp({ webhookPublicUrl: hook.publicUrl });
      const target = `${hook.publicUrl}/${SIM_TENANT}`;
      await s.sim.registerWebhook({
        targetUrl: target,
        secret: 'a-secret-no-store-holds',
        events: ['contact.changed'],
      });
      const { authorizeUrl, binding } = await connect(s);
      const page = await callback(await consent(authorizeUrl, 'allow'), binding);
      expect(page.status).toBe(200);
      const secret = (await s.store.get(SIM_TENANT))!.webhookSecrets[0]!;
      expect(secret).not.toBe('a-secret-no-store-holds');
      expect(s.sim.webhooks()).toEqual([
        expect.objectContaining({ TargetUrl: target, Secret: secret, State: 'Active' }),
      ]);
    } finally {
      await hook.stop();
    }
  });
});
