import { createHmac } from 'node:crypto';
import { MAX_CONSECUTIVE_ERRORS, startSimulator, type RunningSimulator } from '../src';
import { waitFor } from '@so-connector/testing';
import { startTestReceiver } from './test-receiver';

const SECRET = 'sim-webhook-secret-123456';
let sim: RunningSimulator;
let receiver: Awaited<ReturnType<typeof startTestReceiver>>;

async function api(method: string, path: string, body?: unknown) {
  const token = await sim.issueAccessToken();
  const res = await fetch(`${sim.apiBaseUrl()}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => null)) as Record<string, unknown> | null,
  };
}

beforeEach(async () => {
  sim = await startSimulator({ retryScale: 0.01 });
  receiver = await startTestReceiver();
});
afterEach(async () => {
  await sim.stop();
  await receiver.stop();
});

async function register(events = ['contact.changed', 'person.changed', 'contact.created']) {
  const res = await api('POST', '/v1/Webhook', {
    Name: 'test hook',
    Events: events,
    TargetUrl: receiver.url,
    Secret: SECRET,
    Type: 'webhook',
    State: 'Active',
  });
  expect(res.status).toBe(200);
  return res.body as { WebhookId: number; State: string };
}

describe('webhook registration', () => {
  it('pings TargetUrl with a signed test event and saves only when it answers 200', async () => {
    const hook = await register();
    expect(hook.State).toBe('Active');
    const [ping] = receiver.received;
    expect(JSON.parse(ping!.body)).toMatchObject({
      Event: 'test',
      PrimaryKey: 0,
      ContextIdentifier: 'Default',
    });
    expect(ping!.headers['x-hook-test']).toBe('true');

    receiver.status.code = 500;
    const refused = await api('POST', '/v1/Webhook', {
      Name: 'x',
      Events: ['contact.changed'],
      TargetUrl: receiver.url,
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ Error: true, ErrorType: 'WebhookTestFailed' });
  });
});

describe('webhook dispatch', () => {
  it('delivers a change with SuperOffice headers, a valid signature, column names and the editor', async () => {
    await register();
    receiver.received.length = 0;
    sim.editAs(5, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
    await sim.deliveriesSettled();
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    const body = JSON.parse(delivery!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      Event: 'contact.changed',
      Entity: 'contact',
      PrimaryKey: 2,
      ContextIdentifier: 'Cust12345',
      ChangedByAssociateId: 5,
      WebhookName: 'test hook',
    });
    expect(body.Changes).toEqual(
      expect.arrayContaining(['name', 'updated', 'updated_associate_id']),
    );
    expect(body.FieldValues).toMatchObject({ associate_id: 5, country_id: 578 });
    expect(delivery!.headers['x-superoffice-event']).toBe('contact.changed');
    expect(delivery!.headers['x-superoffice-eventid']).toBe(body.EventId);
    expect(delivery!.headers['x-superoffice-retry']).toBe('0');
    expect(delivery!.headers['x-superoffice-signature']).toBe(
      createHmac('sha256', SECRET).update(delivery!.body).digest('base64'),
    );
  });

  it("sends the API user's own UDF write back as an echo (ChangedByAssociateId = API user)", async () => {
    await register();
    receiver.received.length = 0;
    const patched = await api('PATCH', '/v1/Contact/3', [
      { op: 'replace', path: '/UserDefinedFields/SuperOffice:84', value: 'summary' },
    ]);
    expect(patched.status).toBe(200);
    await sim.deliveriesSettled();
    const body = JSON.parse(receiver.received[0]!.body) as {
      ChangedByAssociateId: number;
      Changes: string[];
    };
    expect(body.ChangedByAssociateId).toBe(42);
    expect(body.Changes).toContain('userdef_id');
  });

  it('tries 3 times per cycle (0, +1 s, +4 s scaled), keeps the EventId within a cycle, then drops the event', async () => {
    await register();
    receiver.received.length = 0;
    receiver.status.code = 503;
    sim.editAs(5, 'contact', 2, { Name: 'A' });
    await sim.deliveriesSettled();
    expect(receiver.received).toHaveLength(3);
    const ids = receiver.received.map((r) => r.headers['x-superoffice-eventid']);
    expect(new Set(ids).size).toBe(1);
    expect(receiver.received.map((r) => r.headers['x-superoffice-retry'])).toEqual(['0', '1', '2']);
    const [a, b, c] = receiver.received.map((r) => r.at);
    // Lower bounds only (10 ms and 40 ms at scale 0.01): a slow machine can only make gaps longer.
    expect(b! - a!).toBeGreaterThanOrEqual(9);
    expect(c! - b!).toBeGreaterThanOrEqual(36);

    receiver.status.code = 200;
    sim.editAs(5, 'contact', 2, { Name: 'B' });
    await sim.deliveriesSettled();
    expect(receiver.received[3]!.headers['x-superoffice-eventid']).not.toBe(ids[0]);
  });

  it(`parks the webhook in TooManyErrors after ${MAX_CONSECUTIVE_ERRORS} consecutive failures, and Active again via PATCH`, async () => {
    const hook = await register();
    receiver.status.code = 500;
    for (const name of ['one', 'two', 'three']) {
      sim.editAs(5, 'contact', 2, { Name: name });
      await sim.deliveriesSettled();
    }
    const parked = await api('GET', `/v1/Webhook/${hook.WebhookId}`);
    expect(parked.body).toMatchObject({ State: 'TooManyErrors' });
    const lastError = await api('GET', `/v1/Webhook/${hook.WebhookId}/LastError`);
    expect(lastError.body as unknown as string).toMatch(/contact\.changed .* HTTP 500/);

    const before = receiver.received.length;
    sim.editAs(5, 'contact', 2, { Name: 'while parked' });
    await sim.deliveriesSettled();
    expect(receiver.received).toHaveLength(before);

    receiver.status.code = 200;
    const reactivated = await api('PATCH', `/v1/Webhook/${hook.WebhookId}`, [
      { op: 'replace', path: '/State', value: 'Active' },
    ]);
    expect(reactivated.body).toMatchObject({ State: 'Active' });
    sim.editAs(5, 'contact', 2, { Name: 'after' });
    await waitFor(() => receiver.received.length === before + 1, {
      what: 'a delivery after re-activation',
    });
  });

  it('stops the webhook when the receiver answers 410 Gone', async () => {
    const hook = await register();
    receiver.status.code = 410;
    sim.editAs(5, 'contact', 2, { Name: 'gone' });
    await sim.deliveriesSettled();
    expect((await api('GET', `/v1/Webhook/${hook.WebhookId}`)).body).toMatchObject({
      State: 'Stopped',
    });
  });
});

describe('entity API', () => {
  it('applies a JSON Patch test operation and answers 409 when it fails', async () => {
    const res = await api('PATCH', '/v1/Contact/2', [
      { op: 'test', path: '/Name', value: 'Not the name' },
      { op: 'replace', path: '/UserDefinedFields/SuperOffice:84', value: 'x' },
    ]);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ Error: true, ErrorType: 'PatchTestFailed' });
  });

  it('accepts merge patch, case-insensitive paths and escaped keys', async () => {
    expect(
      (await api('PATCH', '/v1/Contact/2', { UserDefinedFields: { 'SuperOffice:84': 'merged' } }))
        .body,
    ).toMatchObject({ UserDefinedFields: { 'SuperOffice:84': 'merged' } });
    expect(
      (
        await api('PATCH', '/v1/Contact/2', [
          { op: 'replace', path: 'userdefinedfields/SuperOffice:85', value: 'lower' },
        ])
      ).body,
    ).toMatchObject({ UserDefinedFields: { 'SuperOffice:85': 'lower' } });
  });

  it('answers 404 with the SuperOffice error body for an unknown id', async () => {
    const res = await api('GET', '/v1/Person/424242');
    expect(res).toEqual({
      status: 404,
      body: {
        Error: true,
        ErrorType: 'SoNotFoundException',
        ErrorMessage: 'Person id 424242 not found',
        ErrorSource: 'SuperOffice.Simulator',
      },
    });
  });

  it('injects an outage (503) and added latency', async () => {
    sim.faults.outage = true;
    expect((await api('GET', '/v1/Contact/2')).status).toBe(503);
    sim.faults.outage = false;
    sim.faults.latencyMs = 50;
    const started = Date.now();
    expect((await api('GET', '/v1/Contact/2')).status).toBe(200);
    // A lower bound only: a slow machine can make the call longer, never shorter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('counts calls by route', async () => {
    await api('GET', '/v1/Contact/2');
    await api('GET', '/v1/Contact/3');
    expect(sim.counters.get('GET Contact/{id}')).toBe(2);
    expect(sim.counters.get('POST token')).toBe(2);
  });
});

describe('/sim admin routes (a human in the UI, over HTTP)', () => {
  it('creates and edits records as the given associate and exposes the counters', async () => {
    await register();
    receiver.received.length = 0;
    const created = (await fetch(`${sim.url}/sim/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-associate': '12' },
      body: JSON.stringify({ Name: 'Acme' }),
    }).then((r) => r.json())) as { ContactId: number };
    await fetch(`${sim.url}/sim/contact/${created.ContactId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ OrgNr: '1' }),
    });
    await sim.deliveriesSettled();
    const bodies = receiver.received.map(
      (r) => JSON.parse(r.body) as { Event: string; ChangedByAssociateId: number },
    );
    expect(bodies.map((b) => [b.Event, b.ChangedByAssociateId])).toEqual([
      ['contact.created', 12],
      ['contact.changed', 5],
    ]);
    expect(await fetch(`${sim.url}/sim/counters`).then((r) => r.json())).toMatchObject({
      'POST token': 1,
    });
  });
});
