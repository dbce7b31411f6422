import supertest from 'supertest';
import {
  aTestEvent,
  aWebhookEvent,
  signWebhookBody,
  useTestRedis,
  type TestRedis,
} from '@so-connector/testing';
import {
  SECRET,
  signedDelivery,
  startReceiverForTest,
  type ReceiverUnderTest,
} from './receiver-harness';

let redis: TestRedis;
let sut: ReceiverUnderTest;

beforeAll(async () => {
  redis = await useTestRedis();
});
afterAll(async () => {
  await redis.cleanup();
});

beforeEach(async () => {
  sut = await startReceiverForTest({
    redisUrl: redis.url,
    prefix: `${redis.prefix}-${expect.getState().currentTestName?.length ?? 0}-${Math.random().toString(36).slice(2, 8)}`,
  });
});
afterEach(async () => {
  // No secret or signature may reach a log line, whatever the test did.
  const logs = sut.logLines.join('\n');
  expect(logs).not.toContain(SECRET);
  await sut.events.obliterate({ force: true });
  await sut.close();
});

function post(
  body: object | string,
  options: { path?: string; secret?: string; headers?: Record<string, string> } = {},
) {
  const delivery = signedDelivery(body, options.secret ?? SECRET, options.headers);
  return supertest(sut.url)
    .post(options.path ?? '/webhooks/superoffice')
    .set(delivery.headers)
    .send(delivery.text);
}

async function jobCount(): Promise<number> {
  const counts = await sut.events.getJobCounts(
    'waiting',
    'active',
    'completed',
    'failed',
    'delayed',
    'prioritized',
  );
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

describe('POST /webhooks/superoffice', () => {
  it('answers 200 accepted only once Redis has the job, with jobId = EventId', async () => {
    const event = aWebhookEvent();
    const res = await post(event, {
      headers: { 'x-superoffice-retry': '2', 'x-superoffice-eventid': event.EventId },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted', eventId: event.EventId });
    const job = await sut.events.getJob(event.EventId);
    expect(job?.name).toBe('contact.changed');
    expect(job?.data).toEqual({
      tenant: 'Cust12345',
      receivedAt: expect.any(String),
      deliveryRetry: 2,
      spooled: false,
      event,
    });
  });

  it('answers duplicate for an EventId it already has and creates nothing', async () => {
    const event = aWebhookEvent();
    expect((await post(event)).body.status).toBe('accepted');
    const again = await post(event, { headers: { 'x-superoffice-retry': '1' } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate', eventId: event.EventId });
    expect(await jobCount()).toBe(1);
    expect((await sut.events.getJob(event.EventId))?.data.deliveryRetry).toBe(0);
  });

  it('treats an upper-case spelling of a known EventId as the same event', async () => {
    const event = aWebhookEvent();
    await post(event);
    const res = await post({ ...event, EventId: event.EventId.toUpperCase() });
    expect(res.body.status).toBe('duplicate');
    expect(await jobCount()).toBe(1);
  });

  it('serves the prototype path /connector/webhook as an alias', async () => {
    const res = await post(aWebhookEvent(), { path: '/connector/webhook' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('accepted');
  });

  it('accepts an event type the connector does not handle (the worker decides)', async () => {
    const event = aWebhookEvent({ Event: 'sale.sold', Entity: 'sale' });
    expect((await post(event)).body.status).toBe('accepted');
    expect((await sut.events.getJob(event.EventId))?.name).toBe('sale.sold');
  });

  it('answers the registration test event with 200 and queues nothing, whatever its tenant', async () => {
    const event = aTestEvent();
    const res = await post(event, { headers: { 'x-hook-test': 'true' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ignored', eventId: event.EventId });
    expect(await jobCount()).toBe(0);
  });

  it('answers the registration ping signed with a secret it does not hold yet (webhooks register), and queues nothing; other events with that signature get 401', async () => {
    const ping = aTestEvent();
    const res = await post(ping, { secret: 'the-secret-being-registered' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ignored', eventId: ping.EventId });
    const change = await post(aWebhookEvent(), { secret: 'the-secret-being-registered' });
    expect(change.status).toBe(401);
    expect(await jobCount()).toBe(0);
  });

  it('refuses another tenant with 403', async () => {
    const res = await post(aWebhookEvent({ ContextIdentifier: 'Cust99999' }));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: 'forbidden',
      message: "ContextIdentifier Cust99999 is not this connector's tenant",
    });
    expect(await jobCount()).toBe(0);
  });

  describe('authentication', () => {
    it('refuses a missing signature with 401', async () => {
      const res = await supertest(sut.url)
        .post('/webhooks/superoffice')
        .set('content-type', 'application/json')
        .send(JSON.stringify(aWebhookEvent()));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: 'unauthorized',
        message: 'X-SuperOffice-Signature header is missing',
      });
    });

    it('refuses a signature made with another secret with 401', async () => {
      const res = await post(aWebhookEvent(), { secret: 'not-the-secret' });
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('X-SuperOffice-Signature does not match the body');
    });

    it('refuses a body changed after signing', async () => {
      const event = aWebhookEvent();
      const text = JSON.stringify(event);
      const res = await supertest(sut.url)
        .post('/webhooks/superoffice')
        .set({
          'content-type': 'application/json',
          'x-superoffice-signature': signWebhookBody(text, SECRET),
        })
        .send(text.replace('"PrimaryKey":18', '"PrimaryKey":19'));
      expect(res.status).toBe(401);
      expect(await jobCount()).toBe(0);
    });

    it('checks the signature before parsing: an unsigned broken body is 401, not 400', async () => {
      const res = await supertest(sut.url)
        .post('/webhooks/superoffice')
        .set('content-type', 'application/json')
        .send('{broken');
      expect(res.status).toBe(401);
    });
  });

  describe('bad input', () => {
    it('refuses unparsable JSON with 400', async () => {
      const res = await post('{"EventId": ');
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('bad_request');
      expect(res.body.message).toMatch(/^body is not valid JSON/);
    });

    it.each([
      ['EventId', { EventId: 'nope' }, 'EventId: expected a GUID'],
      ['Timestamp', { Timestamp: 12 }, 'Timestamp: expected an ISO 8601 date-time'],
      ['Event', { Event: 'contact' }, 'Event: expected an event name of the form entity.action'],
      ['Entity', { Entity: '' }, 'Entity: Too small: expected string to have >=1 characters'],
      ['PrimaryKey', { PrimaryKey: 'abc' }, 'PrimaryKey: expected the record id'],
      ['Changes', { Changes: {} }, 'Changes: expected an array of column names'],
      ['ContextIdentifier', { ContextIdentifier: 5 }, 'ContextIdentifier: expected the tenant id'],
      [
        'ChangedByAssociateId',
        { ChangedByAssociateId: '5' },
        'ChangedByAssociateId: expected an associate id',
      ],
      ['WebhookName', { WebhookName: false }, 'WebhookName: expected a string'],
      [
        'FieldValues',
        { FieldValues: 'x' },
        'FieldValues: Invalid input: expected record, received string',
      ],
    ])('refuses a wrong %s with 400 naming it', async (_field, overrides, message) => {
      const res = await post({ ...aWebhookEvent(), ...overrides });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'bad_request', message });
      expect(await jobCount()).toBe(0);
    });

    it('refuses a non-JSON content type with 415', async () => {
      const text = JSON.stringify(aWebhookEvent());
      const res = await supertest(sut.url)
        .post('/webhooks/superoffice')
        .set({
          'content-type': 'text/plain',
          'x-superoffice-signature': signWebhookBody(text, SECRET),
        })
        .send(text);
      expect(res.status).toBe(415);
      expect(res.body.message).toBe('Content-Type must be application/json');
    });

    it('keeps serving after bad input', async () => {
      await post('{"EventId": ');
      await post({ ...aWebhookEvent(), padding: 'x'.repeat(300 * 1024) });
      expect((await post(aWebhookEvent())).body.status).toBe('accepted');
    });
  });
});

describe('operations endpoints', () => {
  it('GET /healthz answers 200', async () => {
    const res = await supertest(sut.url).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz reports Redis up and the spool writable', async () => {
    const res = await supertest(sut.url).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', redis: 'up', spool: 'writable' });
  });

  it('GET /metrics counts requests by outcome and exposes ack latency and spool depth', async () => {
    await post(aWebhookEvent());
    await post(aWebhookEvent(), { secret: 'wrong-secret' });
    const res = await supertest(sut.url).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain(
      'so_receiver_webhook_requests_total{outcome="accepted",tenant="Cust12345"} 1',
    );
    expect(res.text).toContain(
      'so_receiver_webhook_requests_total{outcome="unauthorized",tenant="unknown"} 1',
    );
    expect(res.text).toMatch(/so_receiver_webhook_ack_seconds_count\{outcome="accepted"\} 1/);
    expect(res.text).toContain('so_receiver_spool_depth 0');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await supertest(sut.url).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'not_found', message: 'no route for GET /nope' });
  });

  it('logs the EventId on the request line and never the signature', async () => {
    const event = aWebhookEvent();
    const delivery = signedDelivery(event);
    await post(event);
    const line = sut.logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'webhook received');
    expect(line).toMatchObject({
      eventId: event.EventId,
      outcome: 'accepted',
      component: 'receiver',
    });
    expect(sut.logLines.join('\n')).not.toContain(delivery.headers['x-superoffice-signature']);
  });
});

describe('legacy token authentication', () => {
  let tokenSut: ReceiverUnderTest;
  beforeEach(async () => {
    tokenSut = await startReceiverForTest({
      redisUrl: redis.url,
      prefix: `${redis.prefix}-token`,
      env: { WEBHOOK_SECRET: '', WEBHOOK_TOKEN: 'legacy-token-value' },
    });
  });
  afterEach(async () => {
    expect(tokenSut.logLines.join('\n')).not.toContain('legacy-token-value');
    await tokenSut.events.obliterate({ force: true });
    await tokenSut.close();
  });

  it('accepts ?token= with the configured token', async () => {
    const res = await supertest(tokenSut.url)
      .post('/connector/webhook?token=legacy-token-value')
      .set('content-type', 'application/json')
      .send(JSON.stringify(aWebhookEvent()));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('accepted');
  });

  it('refuses a wrong token with 401', async () => {
    const res = await supertest(tokenSut.url)
      .post('/connector/webhook?token=guess')
      .set('content-type', 'application/json')
      .send(JSON.stringify(aWebhookEvent()));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('token query parameter does not match');
  });
});

describe('secret rotation', () => {
  it('accepts deliveries signed with the previous secret while both are configured', async () => {
    const rotating = await startReceiverForTest({
      redisUrl: redis.url,
      prefix: `${redis.prefix}-rotation`,
      env: { WEBHOOK_SECRET: `brand-new-secret-value,${SECRET}` },
    });
    try {
      const delivery = signedDelivery(aWebhookEvent(), SECRET);
      const res = await supertest(rotating.url)
        .post('/webhooks/superoffice')
        .set(delivery.headers)
        .send(delivery.text);
      expect(res.body.status).toBe('accepted');
      const other = signedDelivery(aWebhookEvent(), 'brand-new-secret-value');
      expect(
        (
          await supertest(rotating.url)
            .post('/webhooks/superoffice')
            .set(other.headers)
            .send(other.text)
        ).body.status,
      ).toBe('accepted');
    } finally {
      await rotating.events.obliterate({ force: true });
      await rotating.close();
    }
  });
});
