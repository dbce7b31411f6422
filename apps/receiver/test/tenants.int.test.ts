import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import type { TenantRegistry } from '@so-connector/tenants';
import {
  aTestEvent,
  aWebhookEvent,
  TEST_TENANT,
  useTestRedis,
  waitFor,
  type TestRedis,
} from '@so-connector/testing';
import {
  SECRET,
  signedDelivery,
  startReceiverForTest,
  type ReceiverUnderTest,
} from './receiver-harness';
import {
  fileTenant,
  registryWithFile,
  secretOf,
  tokenOf,
  writeTenantsFile,
} from './tenants-harness';

// DESIGN.md "Many tenants": a tenant added to or removed from the registry is served (or refused)
// within 5 s, without a restart.
const WITHIN_5_S = { timeoutMs: 5000, intervalMs: 200 };

let redis: TestRedis;
let dir: string;
let tenantsFile: string;
let registry: TenantRegistry;
let sut: ReceiverUnderTest;

beforeAll(async () => {
  redis = await useTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'so-receiver-tenants-'));
  tenantsFile = join(dir, 'tenants.yaml');
  writeTenantsFile(
    tenantsFile,
    fileTenant('CustA'),
    fileTenant('CustB'),
    fileTenant('CustT', { token: true }),
  );
  registry = await registryWithFile(tenantsFile);
  sut = await startReceiverForTest({
    redisUrl: redis.url,
    prefix: `${redis.prefix}-${Math.random().toString(36).slice(2, 10)}`,
    tenants: registry,
  });
});
afterEach(async () => {
  // No tenant's secret or token may reach a log line, whatever the test did.
  const logs = sut.logLines.join('\n');
  for (const secret of [SECRET, secretOf('CustA'), secretOf('CustB'), tokenOf('CustT')]) {
    expect(logs).not.toContain(secret);
  }
  await sut.events.obliterate({ force: true });
  await sut.close();
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(
  path: string,
  body: object,
  credentials: { secret?: string; signature?: string; query?: string } = {},
) {
  const delivery = signedDelivery(body, credentials.secret ?? SECRET);
  const headers: Record<string, string> = { ...delivery.headers };
  if (credentials.signature === '') delete headers['x-superoffice-signature'];
  else if (credentials.signature !== undefined)
    headers['x-superoffice-signature'] = credentials.signature;
  return supertest(sut.url)
    .post(`${path}${credentials.query ?? ''}`)
    .set(headers)
    .send(delivery.text);
}

/** A fresh event of tenant `ctx` to that tenant's own path. */
function postToOwnPath(ctx: string, credentials: Parameters<typeof post>[2] = {}) {
  return post(
    `/webhooks/superoffice/${ctx}`,
    aWebhookEvent({ ContextIdentifier: ctx }),
    credentials,
  );
}

/** Every job in `so-events` under this test's prefix, as [tenant, EventId]. */
async function queued(): Promise<[string, string][]> {
  const jobs = await sut.events.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
  return jobs.map((job) => [job.data.tenant, job.data.event.EventId]);
}

describe('POST /webhooks/superoffice/{ContextIdentifier}', () => {
  it("serves each tenant with its own secret, in any letter case, and queues it under the registry's spelling", async () => {
    const a = aWebhookEvent({ ContextIdentifier: 'CUSTA' });
    const b = aWebhookEvent({ ContextIdentifier: 'CustB' });
    const t = aWebhookEvent({ ContextIdentifier: 'CustT' });
    const env = aWebhookEvent();
    expect(
      (await post('/webhooks/superoffice/custa', a, { secret: secretOf('CustA') })).body,
    ).toEqual({ status: 'accepted', eventId: a.EventId });
    expect(
      (await post('/webhooks/superoffice/CustB', b, { secret: secretOf('CustB') })).status,
    ).toBe(200);
    const byToken = await post('/webhooks/superoffice/CustT', t, {
      signature: '',
      query: `?token=${tokenOf('CustT')}`,
    });
    expect(byToken.body.status).toBe('accepted');
    // The environment shorthand's tenant has its path too.
    expect((await post(`/webhooks/superoffice/${TEST_TENANT}`, env)).body.status).toBe('accepted');
    expect((await queued()).sort()).toEqual(
      [
        ['CustA', a.EventId],
        ['CustB', b.EventId],
        ['CustT', t.EventId],
        [TEST_TENANT, env.EventId],
      ].sort(),
    );
    expect((await sut.events.getJob(a.EventId))?.data.event.ContextIdentifier).toBe('CUSTA');
  });

  it('refuses a body naming another tenant than the path with 403, even when signed by the path tenant', async () => {
    const res = await post(
      '/webhooks/superoffice/CustA',
      aWebhookEvent({ ContextIdentifier: 'CustB' }),
      { secret: secretOf('CustA') },
    );
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: 'forbidden',
      message: 'ContextIdentifier CustB does not match the tenant in the path',
    });
    expect(await queued()).toEqual([]);
  });

  it("refuses one tenant's secret on another tenant's path with 401", async () => {
    const res = await postToOwnPath('CustB', {
      secret: secretOf('CustA'),
    });
    expect(res.status).toBe(401);
    expect(await queued()).toEqual([]);
  });

  it.each(['..', '%2e%2e', 'a.b', 'Cust%201', 'x/y'])(
    'has no route for a segment that can never be a ContextIdentifier: %s',
    async (segment) => {
      const res = await post(`/webhooks/superoffice/${segment}`, aWebhookEvent());
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        error: 'not_found',
        message: `no route for POST /webhooks/superoffice/${segment}`,
      });
      expect(await queued()).toEqual([]);
    },
  );

  it('answers the registration ping on any tenant path, served or not, and queues nothing', async () => {
    for (const path of ['/webhooks/superoffice/CustA', '/webhooks/superoffice/CustNobody']) {
      const ping = aTestEvent();
      const res = await post(path, ping, { secret: 'the-secret-being-registered' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ignored', eventId: ping.EventId });
    }
    expect(await queued()).toEqual([]);
  });
});

describe('an unknown tenant and a wrong credential get the same 401', () => {
  const wrong = {
    'a wrong signature': { secret: 'not-any-tenants-secret' },
    'no signature': { signature: '' },
    'a malformed signature': { signature: 'abc' },
    'a wrong token': { signature: '', query: '?token=guess' },
  };

  it.each(Object.entries(wrong))('on the tenant path: %s', async (_label, credentials) => {
    const answers = [];
    // Served with a secret, served with a legacy token, not served at all.
    for (const ctx of ['CustA', 'CustT', 'CustNobody']) {
      const res = await postToOwnPath(ctx, credentials);
      answers.push({ status: res.status, body: res.body as unknown });
    }
    expect(answers[0]?.status).toBe(401);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await queued()).toEqual([]);
  });

  it.each(Object.entries(wrong))('on the body routes: %s', async (_label, credentials) => {
    const answers = [];
    for (const path of ['/webhooks/superoffice', '/connector/webhook']) {
      for (const ctx of ['CustA', 'CustT', 'CustNobody']) {
        const res = await post(path, aWebhookEvent({ ContextIdentifier: ctx }), credentials);
        answers.push({ status: res.status, body: res.body as unknown });
      }
    }
    expect(answers[0]?.status).toBe(401);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await queued()).toEqual([]);
  });

  it("is the same for a served and an unserved tenant when the path tenant's secret signs it", async () => {
    const served = await postToOwnPath('CustB', {
      secret: secretOf('CustA'),
    });
    const unserved = await postToOwnPath('CustGone', { secret: secretOf('CustA') });
    expect(served.status).toBe(401);
    expect(unserved.body).toEqual(served.body);
  });
});

describe('POST /webhooks/superoffice (tenant from the body)', () => {
  it("authenticates with the named tenant's secrets", async () => {
    const a = aWebhookEvent({ ContextIdentifier: 'custa' });
    const res = await post('/webhooks/superoffice', a, { secret: secretOf('CustA') });
    expect(res.body).toEqual({ status: 'accepted', eventId: a.EventId });
    const t = aWebhookEvent({ ContextIdentifier: 'CustT' });
    const byToken = await post('/connector/webhook', t, {
      signature: '',
      query: `?token=${tokenOf('CustT')}`,
    });
    expect(byToken.body.status).toBe('accepted');
    expect((await queued()).sort()).toEqual(
      [
        ['CustA', a.EventId],
        ['CustT', t.EventId],
      ].sort(),
    );
  });

  it("refuses a body naming a tenant signed with another tenant's secret", async () => {
    const res = await post('/webhooks/superoffice', aWebhookEvent({ ContextIdentifier: 'CustB' }), {
      secret: secretOf('CustA'),
    });
    expect(res.status).toBe(401);
    expect(await queued()).toEqual([]);
  });

  it("answers a delivery signed for the environment's tenant but naming another with the same 403, served or not", async () => {
    const served = await post(
      '/webhooks/superoffice',
      aWebhookEvent({ ContextIdentifier: 'CustA' }),
    );
    const unserved = await post(
      '/webhooks/superoffice',
      aWebhookEvent({ ContextIdentifier: 'CustZ' }),
    );
    expect(served.status).toBe(403);
    expect(served.body).toEqual({
      error: 'forbidden',
      message: "ContextIdentifier CustA is not this connector's tenant",
    });
    expect(unserved.status).toBe(403);
    expect(unserved.body).toEqual({
      error: 'forbidden',
      message: "ContextIdentifier CustZ is not this connector's tenant",
    });
    expect(await queued()).toEqual([]);
  });
});

describe('GET /metrics per tenant', () => {
  it('labels served tenants by their registry spelling and everything else `unknown`', async () => {
    await post('/webhooks/superoffice/custa', aWebhookEvent({ ContextIdentifier: 'CustA' }), {
      secret: secretOf('CustA'),
    });
    await postToOwnPath('CustNobody');
    await postToOwnPath('CustB', {
      secret: 'wrong',
    });
    await post('/webhooks/superoffice/CustA', aWebhookEvent({ ContextIdentifier: 'CustB' }), {
      secret: secretOf('CustA'),
    });
    const text = (await supertest(sut.url).get('/metrics')).text;
    const series = text
      .split('\n')
      .filter((l) => l.startsWith('so_receiver_webhook_requests_total{'));
    expect(series.sort()).toEqual(
      [
        'so_receiver_webhook_requests_total{outcome="accepted",tenant="CustA"} 1',
        'so_receiver_webhook_requests_total{outcome="forbidden",tenant="CustA"} 1',
        // An unauthenticated request names no tenant in the metrics, served or not.
        'so_receiver_webhook_requests_total{outcome="unauthorized",tenant="unknown"} 2',
      ].sort(),
    );
  });
});

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
      tenantsFile,
      fileTenant('CustA'),
      fileTenant('CustB'),
      fileTenant('CustT', { token: true }),
      fileTenant('CustNew'),
    );
    await waitFor(async () => (await deliver()) === 200, {
      ...WITHIN_5_S,
      what: 'CustNew to be served',
    });
    expect((await supertest(sut.url).get('/metrics')).text).toContain(
      'so_receiver_webhook_requests_total{outcome="accepted",tenant="CustNew"} 1',
    );

    writeTenantsFile(tenantsFile, fileTenant('CustA'));
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
    const metricsAfter = (await supertest(sut.url).get('/metrics')).text;
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
    writeTenantsFile(tenantsFile, fileTenant('CustA', { secrets: [rotated, secretOf('CustA')] }));
    await waitFor(async () => (await deliver(rotated)) === 200, {
      ...WITHIN_5_S,
      what: 'the new secret to be accepted',
    });
    expect(await deliver(secretOf('CustA'))).toBe(200);

    // Step 2: the old secret goes.
    writeTenantsFile(tenantsFile, fileTenant('CustA', { secrets: [rotated] }));
    await waitFor(async () => (await deliver(secretOf('CustA'))) === 401, {
      ...WITHIN_5_S,
      what: 'the old secret to be refused',
    });
    expect(await deliver(rotated)).toBe(200);
    expect(sut.logLines.join('\n')).not.toContain(rotated);
  });
});
