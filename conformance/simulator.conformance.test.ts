import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  PATCH_CONTENT_TYPE,
  PATCH_FALLBACK_CONTENT_TYPE,
  udfPatchOperations,
} from '@so-connector/superoffice-client';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { sample } from './samples';
import { shapeDifferences, valueForm } from './value-forms';

// The simulator against SuperOffice's documented samples, over HTTP: it must answer the endpoints
// the connector uses with SuperOffice's keys and value forms, and take PATCH as SuperOffice's
// request samples send it. A test here failing means the simulator drifted from SuperOffice.
let sim: RunningSimulator;
let token: string;
beforeAll(async () => {
  // `offset`: dates in the samples' form (2003-02-02T14:34:01.7525885+01:00).
  sim = await startSimulator({ dateForm: 'offset' });
  token = await sim.issueAccessToken();
});
afterAll(async () => {
  await sim.stop();
});

async function call(method: string, path: string, body?: unknown, contentType?: string) {
  const res = await fetch(`${sim.apiBaseUrl()}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json; charset=utf-8',
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: await res.json(),
  };
}

describe('the simulator answers with the shapes of SuperOffice’s samples', () => {
  beforeAll(async () => {
    // A webhook to list, registered as an operator would: SuperOffice pings TargetUrl first.
    const target = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = target.address() as AddressInfo;
      expect(
        await sim.registerWebhook({
          targetUrl: `http://127.0.0.1:${port}/webhooks/superoffice`,
          secret: 'conformance-secret-123',
          events: ['contact.changed'],
        }),
      ).toBe(200);
    } finally {
      await new Promise((resolve) => target.close(resolve));
    }
  });

  it.each([
    ['GET', '/v1/Contact/2', 'v1ContactEntity_GetContactEntity.response'],
    ['GET', '/v1/Person/11', 'v1PersonEntity_GetPersonEntity.response'],
    ['GET', '/v1/User/currentPrincipal', 'v1User_GetCurrentPrincipal.response'],
    ['GET', '/v1/Contact/UdefLayout/Published', 'v1ContactEntity_GetPublishedUdefLayout.response'],
    ['GET', '/v1/Person/UdefLayout/Published', 'v1PersonEntity_GetPublishedUdefLayout.response'],
    ['GET', '/v1/MDOList/udlist1?flat=true', 'v1MDOList_GetList.response'],
    ['GET', '/v1/Webhook', 'v1Webhook_GetAllWebhooks.response'],
  ])('%s %s like %s', async (method, path, name) => {
    const documented = sample(name);
    const answer = await call(method, path);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json; charset=utf-8$/i);
    expect(shapeDifferences(answer.body, documented.body)).toEqual([]);
  });

  it('writes UpdatedDate/CreatedDate in the samples’ form when asked to', async () => {
    const contact = (await call('GET', '/v1/Contact/2')).body as Record<string, unknown>;
    expect(valueForm(contact.UpdatedDate)).toBe('datetime-offset');
    expect(valueForm(contact.CreatedDate)).toBe('datetime-offset');
  });

  it('names UDF field types as SuperOffice’s UDefFieldType does', async () => {
    const layout = (await call('GET', '/v1/Contact/UdefLayout/Published')).body as {
      FieldType: string;
    }[];
    const names = [
      'Number',
      'ShortText',
      'LongText',
      'Date',
      'UnlimitedDate',
      'Checkbox',
      'List',
      'Decimal',
    ];
    for (const field of layout) expect(names).toContain(field.FieldType);
  });
});

describe('PATCH as SuperOffice’s request samples send it', () => {
  const requests = [
    ['v1ContactEntity_PatchContactEntity.request', '/v1/Contact/2'],
    ['v1PersonEntity_PatchPersonEntity.request', '/v1/Person/11'],
    ['v1Webhook_PatchWebhook.request', '/v1/Webhook/1'],
  ] as const;

  it.each(requests)('%s: the client sends its content type and body shape', (name) => {
    const documented = sample(name);
    expect(documented.startLine).toMatch(/^PATCH \/api\/v1\//);
    expect(documented.headers['content-type']).toBe(PATCH_CONTENT_TYPE);
    const [op] = documented.body as Record<string, unknown>[];
    const [ours] = udfPatchOperations({ 'SuperOffice:84': 'x' });
    expect(Object.keys(ours!).sort()).toEqual(Object.keys(op!).sort());
  });

  it.each(requests)(
    '%s: the simulator takes the documented content type and refuses another with 415',
    async (name, path) => {
      const contentType = sample(name).headers['content-type'];
      const body =
        path === '/v1/Webhook/1'
          ? [{ op: 'replace', path: '/Name', value: 'so-connector conformance' }]
          : udfPatchOperations({
              [path.includes('Person') ? 'SuperOffice:91' : 'SuperOffice:84']: 'x',
            });
      expect((await call('PATCH', path, body, contentType)).status).toBe(200);
      const refused = await call('PATCH', path, body, PATCH_FALLBACK_CONTENT_TYPE);
      expect(refused).toMatchObject({ status: 415, body: { Error: true } });
    },
  );
});
