import axios from 'axios';
import { waitFor } from '@so-connector/testing';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import {
  fixedTenantUrl,
  RefreshTokenAuth,
  statusTenantUrl,
  SuperOfficeClient,
  SuperOfficeError,
  type CallRecord,
  type UdfWriteMode,
} from '../src';
import { clientOf, type SimClientOptions } from './sim-client';

// The client against the simulator over real sockets; nothing is stubbed.
let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({ retryScale: 0.01 });
});
afterEach(async () => {
  await sim.stop();
});

const clientFor = (options: SimClientOptions = {}) => clientOf(sim, options);

async function failureOf(promise: Promise<unknown>): Promise<SuperOfficeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SuperOfficeError) return error;
    throw error;
  }
  throw new Error('expected a SuperOfficeError');
}

describe('SuperOfficeClient against the simulator', () => {
  it('reads a contact and a person with their typed fields', async () => {
    const sut = clientFor();
    const contact = await sut.getContact(2);
    expect(contact).toMatchObject({
      ContactId: 2,
      Name: 'Nordlys Robotics AS',
      OrgNr: '918273645',
      Domains: ['nordlys-robotics.no'],
      Country: { CountryId: 578 },
    });
    const person = await sut.getPerson(11);
    expect(person).toMatchObject({
      PersonId: 11,
      Title: 'Head of Operations',
      Contact: { ContactId: 2 },
    });
  });

  it('asks the token endpoint once for 100 concurrent calls (cache + single flight)', async () => {
    const sut = clientFor();
    await Promise.all(Array.from({ length: 100 }, (_, i) => sut.getContact(2 + (i % 4))));
    expect(sim.counters.get('POST token')).toBe(1);
    expect(sim.counters.get('GET state')).toBe(1);
    expect(sim.counters.get('GET Contact/{id}')).toBe(100);
  });

  it('refreshes once on 401 and retries the call', async () => {
    const sut = clientFor();
    await sut.getContact(2);
    sim.expireTokens();
    await expect(sut.getContact(3)).resolves.toMatchObject({ ContactId: 3 });
    expect(sim.counters.get('POST token')).toBe(2);
  });

  it('re-resolves the tenant host on 421 and retries the call', async () => {
    const sut = clientFor();
    await sut.getContact(2);
    sim.moveHost();
    await expect(sut.getContact(2)).resolves.toMatchObject({ ContactId: 2 });
    expect(sim.counters.get('GET state')).toBe(2);
  });

  it('gives up on 421 with a fixed API base, as a retryable error', async () => {
    const sut = clientFor({ resolve: 'fixed' });
    sim.moveHost();
    const error = await failureOf(sut.getContact(2));
    expect(error).toMatchObject({ status: 421, retryable: true });
  });

  it('reports 429 as retryable with Retry-After', async () => {
    const sut = clientFor();
    sim.faults.rateLimitRemaining = 1;
    sim.faults.retryAfterSeconds = 3;
    const error = await failureOf(sut.getContact(2));
    expect(error).toMatchObject({
      status: 429,
      retryable: true,
      retryAfterMs: 3000,
      errorType: 'TooManyRequests',
    });
    await expect(sut.getContact(2)).resolves.toMatchObject({ ContactId: 2 });
  });

  it('classifies 5xx as retryable and 404 as not found', async () => {
    const sut = clientFor();
    sim.faults.errorRate = 1;
    expect(await failureOf(sut.getContact(2))).toMatchObject({
      status: 500,
      retryable: true,
      kind: 'retryable',
    });
    sim.faults.errorRate = 0;
    const missing = await failureOf(sut.getContact(99999));
    expect(missing).toMatchObject({
      status: 404,
      retryable: false,
      kind: 'not-found',
      errorType: 'SoNotFoundException',
    });
    expect(missing.message).toContain('Contact id 99999 not found');
  });

  it('refuses a wrong client secret without leaking it', async () => {
    const sut = clientFor({ clientSecret: 'wrong-secret-value' });
    const error = await failureOf(sut.getContact(2));
    expect(error).toMatchObject({ status: 401, kind: 'auth', errorType: 'invalid_client' });
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('wrong-secret-value');
  });

  it('reports every call (method, path, status) for metrics and cost measurement', async () => {
    const calls: CallRecord[] = [];
    const sut = clientFor({ calls });
    await sut.getContact(2);
    expect(calls).toEqual([
      { method: 'GET', path: '/v1/Contact/2', status: 200, durationMs: expect.any(Number) },
    ]);
  });

  it("runs the caller's gate before each call, and sends nothing when it refuses", async () => {
    const calls: CallRecord[] = [];
    let open = true;
    let asked = 0;
    const sut = clientFor({
      calls,
      beforeCall: () => {
        asked++;
        return open ? Promise.resolve() : Promise.reject(new Error('over budget'));
      },
    });
    await sut.getContact(2);
    open = false;
    await expect(sut.getContact(2)).rejects.toThrow('over budget');
    expect(asked).toBe(2);
    expect(sim.counters.get('GET Contact/{id}')).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it('learns and caches the API user (currentPrincipal)', async () => {
    const sut = clientFor();
    expect((await sut.getCurrentPrincipal()).AssociateId).toBe(42);
    await sut.getCurrentPrincipal();
    expect(sim.counters.get('GET User/currentPrincipal')).toBe(1);
  });

  it('reads the published UDF layout and the Vertical list behind it', async () => {
    const sut = clientFor();
    const layout = await sut.getPublishedUdfLayout('Contact');
    const vertical = layout.find((d) => d.FieldLabel === 'Vertical');
    expect(vertical).toMatchObject({ ProgId: 'SuperOffice:83', MdoListName: 'udlist1' });
    const items = await sut.getMdoListItems(vertical!.MdoListName!);
    expect(items.map((i) => i.Name)).toContain('Software & IT');
  });

  it.each<UdfWriteMode>(['json-patch', 'get-put'])(
    'round-trips UDFs including a list UDF (%s)',
    async (writeMode) => {
      const sut = clientFor({ writeMode });
      const saved = await sut.patchContactUdfs(3, {
        'SuperOffice:83': '[I:2]',
        'SuperOffice:84': 'Cloud software for field teams.',
      });
      expect(saved.UserDefinedFields).toMatchObject({
        'SuperOffice:83': '[I:2]',
        'SuperOffice:83:DisplayText': 'Software & IT',
        'SuperOffice:84': 'Cloud software for field teams.',
      });
      const again = await sut.getContact(3);
      expect(again.UserDefinedFields?.['SuperOffice:83:DisplayText']).toBe('Software & IT');
      expect(again.UpdatedBy?.AssociateId).toBe(42);
    },
  );

  it('writes a person UDF', async () => {
    const sut = clientFor();
    const saved = await sut.patchPersonUdfs(11, { 'SuperOffice:91': 'Hi Ingrid' });
    expect(saved.UserDefinedFields?.['SuperOffice:91']).toBe('Hi Ingrid');
  });

  it.each<UdfWriteMode>(['json-patch', 'get-put'])(
    'reports a conflict when the record changed since it was read (%s)',
    async (writeMode) => {
      const sut = clientFor({ writeMode });
      const read = await sut.getContact(2);
      sim.editAs(5, 'contact', 2, { Name: 'Nordlys Robotics ASA' });
      const error = await failureOf(
        sut.patchContactUdfs(
          2,
          { 'SuperOffice:84': 'x' },
          { expectUpdatedDate: `${read.UpdatedDate}` },
        ),
      );
      expect(error).toMatchObject({ conflict: true, retryable: false });
    },
  );

  it('refuses an unknown UDF key as a permanent error', async () => {
    const sut = clientFor();
    expect(await failureOf(sut.patchContactUdfs(2, { 'SuperOffice:999': 'x' }))).toMatchObject({
      status: 400,
      kind: 'permanent',
    });
  });

  it('creates a contact as the API user, which SuperOffice announces as contact.created', async () => {
    const sut = clientFor();
    const created = await sut.createContact({ Name: 'Test company AS', OrgNr: '999888777' });
    expect(created).toMatchObject({ Name: 'Test company AS', OrgNr: '999888777' });
    expect(await sut.getContact(created.ContactId)).toMatchObject({
      ContactId: created.ContactId,
      Name: 'Test company AS',
      UpdatedBy: { AssociateId: 42 },
    });
    expect(await failureOf(sut.createContact([] as never))).toMatchObject({ status: 400 });
  });

  it('finds contacts updated since a time', async () => {
    const sut = clientFor();
    const before = new Date(Date.now() - 1000).toISOString();
    sim.editAs(5, 'contact', 4, { OrgNr: '987654320' });
    const found = await sut.findContactsUpdatedSince(before);
    expect(found.map((c) => c.contactId)).toEqual([4]);
  });
});

describe('token lifetime', () => {
  it('refreshes before expires_in runs out, so no call is refused with 401', async () => {
    await sim.stop();
    sim = await startSimulator({ tokenExpiresInSeconds: 1 });
    const http = axios.create();
    const calls: CallRecord[] = [];
    const sut = new SuperOfficeClient({
      auth: new RefreshTokenAuth({
        http,
        tokenUrl: sim.tokenUrl,
        clientId: sim.client.clientId,
        clientSecret: sim.client.clientSecret,
        refreshToken: sim.client.refreshToken,
        refreshMarginMs: 200,
      }),
      tenant: fixedTenantUrl(sim.apiBaseUrl()),
      http,
      onCall: (call) => calls.push(call),
    });
    await sut.getContact(2);
    await waitFor(async () => (await sut.getContact(2)) && sim.counters.get('POST token') === 2, {
      timeoutMs: 5000,
      intervalMs: 100,
      what: 'a proactive refresh',
    });
    expect(calls.map((c) => c.status)).not.toContain(401);
  });

  it('uses a token shorter-lived than the refresh margin for half its life instead of refreshing before every call', async () => {
    await sim.stop();
    sim = await startSimulator({ tokenExpiresInSeconds: 30 });
    const http = axios.create();
    const sut = new SuperOfficeClient({
      auth: new RefreshTokenAuth({
        http,
        tokenUrl: sim.tokenUrl,
        clientId: sim.client.clientId,
        clientSecret: sim.client.clientSecret,
        refreshToken: sim.client.refreshToken,
      }), // default margin: 60 s, longer than the token lives
      tenant: fixedTenantUrl(sim.apiBaseUrl()),
      http,
    });
    for (let i = 0; i < 5; i++) await sut.getContact(2);
    expect(sim.counters.get('POST token')).toBe(1);
  });

  it('reports a tenant that is not running as retryable', async () => {
    const http = axios.create();
    const tenant = statusTenantUrl({ http, statusUrl: `${sim.url}/api/state/Cust00000` });
    const error = await failureOf(tenant.apiBaseUrl());
    expect(error).toMatchObject({ status: 404, kind: 'permanent' });
  });
});

describe('webhook API', () => {
  it('creates, lists, re-activates after TooManyErrors, reads LastError and deletes a webhook', async () => {
    const { createServer } = await import('node:http');
    let answer = 200;
    const target = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const address = target.address() as { port: number };
    try {
      const sut = clientFor();
      const created = await sut.createWebhook({
        Name: 'so-connector',
        Events: ['contact.changed'],
        TargetUrl: `http://127.0.0.1:${address.port}/webhooks/superoffice`,
        Secret: 'a-strong-secret-value',
      });
      expect(created).toMatchObject({
        State: 'Active',
        Type: 'webhook',
        Events: ['contact.changed'],
      });
      expect(await sut.listWebhooks({ state: 'Active' })).toHaveLength(1);

      answer = 500;
      for (const name of ['a', 'b', 'c']) {
        sim.editAs(5, 'contact', 2, { Name: name });
        await sim.deliveriesSettled();
      }
      expect((await sut.getWebhook(created.WebhookId)).State).toBe('TooManyErrors');
      expect(await sut.listWebhooks({ state: 'TooManyErrors' })).toHaveLength(1);
      expect(await sut.getWebhookLastError(created.WebhookId)).toMatch(/HTTP 500/);

      answer = 200;
      expect((await sut.activateWebhook(created.WebhookId)).State).toBe('Active');
      await sut.deleteWebhook(created.WebhookId);
      expect(await sut.listWebhooks()).toHaveLength(0);
      expect(await failureOf(sut.getWebhook(created.WebhookId))).toMatchObject({ status: 404 });
    } finally {
      await new Promise<void>((resolve) => {
        target.close(() => resolve());
        target.closeAllConnections();
      });
    }
  });
});
