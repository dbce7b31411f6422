import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CompanyExplorerProvider,
  createProvider,
  OpenAiProvider,
  ProviderError,
  validated,
  type CompanyInput,
} from '../src';

// Providers talk HTTP to a real local server that plays the AI service; nothing is stubbed.
type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler;
let server: Server;
let baseUrl: string;
const seen: { path: string; auth: string | undefined; body: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({
        path: req.url ?? '',
        auth: req.headers.authorization,
        body: body ? (JSON.parse(body) as unknown) : undefined,
      });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});
beforeEach(() => {
  seen.length = 0;
});

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, _body, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

const company: CompanyInput = {
  name: 'Nordlys Robotics AS',
  website: 'https://nordlys-robotics.no',
  domains: ['nordlys-robotics.no'],
  orgNr: '918273645',
  country: 'Norway',
  description: 'Robot cells.',
};
const person = {
  firstName: 'Ingrid',
  lastName: 'Solberg',
  jobTitle: 'Head of Operations',
  position: undefined,
};
const good = { vertical: 'Manufacturing', summary: 'Makes robot cells.', openers: ['Hi there'] };

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.catch((e: unknown) => e);
  if (error instanceof ProviderError) return error;
  throw new Error(`expected a ProviderError, got ${String(error)}`);
}

describe('company-explorer provider', () => {
  const sut = (timeoutMs = 2000) =>
    createProvider({ provider: 'company-explorer', baseUrl, apiKey: 'ce-key-123', timeoutMs });

  it('POSTs the documented contract with the bearer key and returns the validated result', async () => {
    handler = json(200, good);
    expect(await sut().enrichCompany(company, { verticals: ['Manufacturing'] })).toEqual(good);
    expect(seen[0]).toMatchObject({
      path: '/v1/analyze',
      auth: 'Bearer ce-key-123',
      body: {
        name: 'Nordlys Robotics AS',
        website: 'https://nordlys-robotics.no',
        orgNr: '918273645',
        country: 'Norway',
        description: 'Robot cells.',
      },
    });
  });

  it('asks /v1/opener for a person opener', async () => {
    handler = json(200, { opener: 'Hi Ingrid' });
    expect(await sut().personOpener(person, company)).toBe('Hi Ingrid');
    expect(seen[0]).toMatchObject({
      path: '/v1/opener',
      body: {
        person: { firstName: 'Ingrid', lastName: 'Solberg', jobTitle: 'Head of Operations' },
        company: { name: 'Nordlys Robotics AS' },
      },
    });
  });

  it.each([
    ['500', json(500, { error: 'boom' }), { kind: 'retryable', status: 500 }],
    [
      '429 with Retry-After',
      json(429, {}, { 'retry-after': '7' }),
      { kind: 'retryable', status: 429, retryAfterMs: 7000 },
    ],
    ['401 (bad key)', json(401, {}), { kind: 'permanent', status: 401 }],
    ['a result that does not fit', json(200, { vertical: 'X' }), { kind: 'invalid-output' }],
    // A body cut off on the way is worth another attempt (the fault suite's truncated answers).
    ['malformed JSON', json(200, '{"vertical": '), { kind: 'retryable', status: 200 }],
  ])('turns %s into a typed error', async (_label, h, expected) => {
    handler = h;
    expect(await failure(sut().enrichCompany(company, { verticals: [] }))).toMatchObject(expected);
  });

  it('times out as a retryable error', async () => {
    handler = () => undefined; // never answers
    const error = await failure(sut(200).enrichCompany(company, { verticals: [] }));
    expect(error).toMatchObject({ kind: 'retryable' });
    expect(error.message).toContain('timed out');
  });

  it('never puts the API key in an error', async () => {
    handler = json(403, {});
    const error = await failure(
      validated(new CompanyExplorerProvider({ baseUrl, apiKey: 'ce-key-123' })).enrichCompany(
        company,
        { verticals: [] },
      ),
    );
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('ce-key-123');
  });
});

describe('openai-compatible provider', () => {
  const sut = () =>
    validated(
      new OpenAiProvider({
        baseUrl: `${baseUrl}/v1`,
        apiKey: 'sk-test',
        model: 'gpt-test',
        timeoutMs: 2000,
      }),
    );
  const completion = (content: string | null) =>
    json(200, { choices: [{ message: { role: 'assistant', content } }] });

  it('asks chat/completions for a JSON object and validates the answer', async () => {
    handler = completion(JSON.stringify(good));
    expect(await sut().enrichCompany(company, { verticals: ['Manufacturing', 'Retail'] })).toEqual(
      good,
    );
    expect(seen[0]).toMatchObject({
      path: '/v1/chat/completions',
      auth: 'Bearer sk-test',
      body: { model: 'gpt-test', response_format: { type: 'json_object' } },
    });
    expect(JSON.stringify(seen[0]!.body)).toContain('allowedVerticals');
  });

  it('accepts JSON wrapped in a code fence', async () => {
    handler = completion('```json\n' + JSON.stringify(good) + '\n```');
    expect(await sut().enrichCompany(company, { verticals: [] })).toEqual(good);
  });

  it('reads a person opener', async () => {
    handler = completion('{"opener":"Hi Ingrid"}');
    expect(await sut().personOpener(person, company)).toBe('Hi Ingrid');
  });

  it.each([
    ['prose instead of JSON', completion('The company makes robots.')],
    ['JSON of the wrong shape', completion('{"vertical":"Manufacturing"}')],
    ['an empty completion', completion(null)],
    ['no choices', json(200, { choices: [] })],
  ])('refuses %s as invalid output (never written)', async (_label, h) => {
    handler = h;
    expect(await failure(sut().enrichCompany(company, { verticals: [] }))).toMatchObject({
      kind: 'invalid-output',
    });
  });

  it('classifies 503 as retryable', async () => {
    handler = json(503, {});
    expect(await failure(sut().enrichCompany(company, { verticals: [] }))).toMatchObject({
      kind: 'retryable',
      status: 503,
    });
  });
});
