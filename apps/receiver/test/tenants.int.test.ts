import supertest from 'supertest';
import { aTestEvent, aWebhookEvent, TEST_TENANT } from '@so-connector/testing';
import { secretOf, tokenOf, useTenantsReceiver } from './tenants-harness';

const rx = useTenantsReceiver();
const { post, postToOwnPath, queued } = rx;

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
    expect((await rx.sut.events.getJob(a.EventId))?.data.event.ContextIdentifier).toBe('CUSTA');
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
    const text = (await supertest(rx.sut.url).get('/metrics')).text;
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
