import supertest from 'supertest';
import { TenantRegistry, tenantFromEnvironment } from '@so-connector/tenants';
import { aWebhookEvent, TEST_TENANT, waitFor } from '@so-connector/testing';
import { startReceiverForTest } from './receiver-harness';
import { fileTenant, secretOf, useTenantsReceiver, writeTenantsFile } from './tenants-harness';

// DESIGN.md "Many tenants": a tenant added to, changed in or removed from the registry is served
// (or refused) within 5 s, without a restart.
const WITHIN_5_S = { timeoutMs: 5000, intervalMs: 200 };

const rx = useTenantsReceiver();
const { post, postToOwnPath, queued } = rx;

describe('registry changes without a restart', () => {
  it('serves a tenant added to TENANTS_FILE within 5 s, and refuses it within 5 s of its removal; nothing refused is queued', async () => {
    const path = '/webhooks/superoffice/CustNew';
    const accepted: string[] = [];
    const refused: string[] = [];
    const deliver = async () => {
      const event = aWebhookEvent({ ContextIdentifier: 'CustNew' });
      const res = await post(path, event, { secret: secretOf('CustNew') });
      (res.status === 200 ? accepted : refused).push(event.EventId);
      return res.status;
    };
    expect(await deliver()).toBe(401);

    writeTenantsFile(
      rx.tenantsFile,
      fileTenant('CustA'),
      fileTenant('CustB'),
      fileTenant('CustT', { token: true }),
      fileTenant('CustNew'),
    );
    await waitFor(async () => (await deliver()) === 200, {
      ...WITHIN_5_S,
      what: 'CustNew to be served',
    });
    expect((await supertest(rx.sut.url).get('/metrics')).text).toContain(
      'so_receiver_webhook_requests_total{outcome="accepted",tenant="CustNew"} 1',
    );

    writeTenantsFile(rx.tenantsFile, fileTenant('CustA'));
    await waitFor(async () => (await deliver()) === 401, {
      ...WITHIN_5_S,
      what: 'CustNew to be refused',
    });
    // The removed tenant now answers as a tenant that never existed does.
    const removed = await post(path, aWebhookEvent({ ContextIdentifier: 'CustNew' }), {
      secret: secretOf('CustNew'),
    });
    const unknown = await postToOwnPath('CustNobody', { secret: secretOf('CustNobody') });
    expect(removed.status).toBe(401);
    expect(removed.body).toEqual(unknown.body);

    // Every accepted delivery is queued under its tenant; none of the refused ones is.
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect((await queued()).sort()).toEqual(accepted.map((id) => ['CustNew', id]).sort());
    // Its series left /metrics with it (its refusals count under `unknown`).
    const metricsAfter = (await supertest(rx.sut.url).get('/metrics')).text;
    expect(metricsAfter).not.toContain('tenant="CustNew"');
  });

  it("takes a tenant's changed secrets (a rotation) within 5 s", async () => {
    const rotated = 'whsec-CustA-rotated-fedcba9876543210';
    const deliver = async (secret: string) =>
      (
        await postToOwnPath('CustA', {
          secret,
        })
      ).status;
    expect(await deliver(rotated)).toBe(401);

    // Rotation step 1: the new secret first, the old one still accepted.
    writeTenantsFile(
      rx.tenantsFile,
      fileTenant('CustA', { secrets: [rotated, secretOf('CustA')] }),
    );
    await waitFor(async () => (await deliver(rotated)) === 200, {
      ...WITHIN_5_S,
      what: 'the new secret to be accepted',
    });
    expect(await deliver(secretOf('CustA'))).toBe(200);

    // Step 2: the old secret goes.
    writeTenantsFile(rx.tenantsFile, fileTenant('CustA', { secrets: [rotated] }));
    await waitFor(async () => (await deliver(secretOf('CustA'))) === 401, {
      ...WITHIN_5_S,
      what: 'the old secret to be refused',
    });
    expect(await deliver(rotated)).toBe(200);
    expect(rx.sut.logLines.join('\n')).not.toContain(rotated);
  });
});

describe('ALLOW_UNSIGNED stays a receiver-wide switch', () => {
  it("serves the environment's tenant unsigned, never an unknown one, and still checks the signed tenants", async () => {
    const unsignedRegistry = await TenantRegistry.create({
      environment: tenantFromEnvironment({
        tenant: { contextIdentifier: TEST_TENANT },
        webhook: { secrets: [], token: undefined },
      }),
      file: { path: rx.tenantsFile, env: {} },
    });
    const open = await startReceiverForTest({
      redisUrl: rx.redis.url,
      prefix: `${rx.redis.prefix}-unsigned-${Math.random().toString(36).slice(2, 10)}`,
      env: { WEBHOOK_SECRET: '', ALLOW_UNSIGNED: 'true' },
      tenants: unsignedRegistry,
    });
    const unsigned = (path: string, ctx: string) =>
      supertest(open.url)
        .post(path)
        .set('content-type', 'application/json')
        .send(JSON.stringify(aWebhookEvent({ ContextIdentifier: ctx })));
    try {
      const env = await unsigned(`/webhooks/superoffice/${TEST_TENANT}`, TEST_TENANT);
      expect(env.body.status).toBe('accepted');
      expect((await unsigned('/webhooks/superoffice', TEST_TENANT)).body.status).toBe('accepted');
      // A tenant with a secret needs its signature, and an unknown one is refused as before.
      const signedTenant = await unsigned('/webhooks/superoffice/CustA', 'CustA');
      const unknown = await unsigned('/webhooks/superoffice/CustNobody', 'CustNobody');
      expect(signedTenant.status).toBe(401);
      expect(unknown.body).toEqual(signedTenant.body);
      const jobs = await open.events.getJobs(['waiting', 'active', 'completed']);
      expect(jobs.map((job) => job.data.tenant)).toEqual([TEST_TENANT, TEST_TENANT]);
    } finally {
      await open.events.obliterate({ force: true });
      await open.close();
      await unsignedRegistry.close();
    }
  });
});
