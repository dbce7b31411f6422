import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How a request may misbehave. */
export type ProviderFault = 'timeout' | 'malformed' | '500';

export interface FakeCompanyExplorer {
  readonly url: string;
  /** Requests answered with each fault so far. */
  readonly faultsServed: Record<ProviderFault, number>;
  /** Every request's Bearer key and path, in order (which tenant's key asked for what). */
  readonly requests: { readonly key: string; readonly path: string; readonly body: string }[];
  close(): Promise<void>;
}

const hash = (text: string) => createHash('sha256').update(text).digest();
const str = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);

/**
 * The Company Explorer contract (packages/enrichment company-explorer.ts) over real HTTP, with
 * deterministic answers derived from the request. The Bearer key chooses the behaviour:
 * `clean` always answers; `flaky:{fault},{fault}…` answers the first requests of each distinct
 * body (per key) with those faults (rotated by a hash of the body, so records meet them in different
 * orders) and then answers properly — the faults are certain to be met, and certain to end. A
 * `;{tag}` after the faults makes another key with the same faults: a run that sends the same
 * bodies again (the same scenario on another Redis topology) meets them afresh.
 */
export async function startFakeCompanyExplorer(): Promise<FakeCompanyExplorer> {
  const seen = new Map<string, number>();
  const sockets = new Set<Socket>();
  const faultsServed: Record<ProviderFault, number> = { timeout: 0, malformed: 0, '500': 0 };
  const requests: FakeCompanyExplorer['requests'] = [];

  const answer = (path: string, body: Record<string, unknown>): unknown => {
    if (path === '/v1/analyze') {
      const name = str(body.name, '');
      const verticals = (body.verticals as string[] | undefined) ?? [];
      const vertical = verticals[hash(name)[0]! % Math.max(1, verticals.length)] ?? 'Other';
      return {
        vertical,
        summary: `${name} (org. no. ${str(body.orgNr, 'unknown')}) analysed by the explorer.`,
        openers: [`Hello ${name}, one idea for ${vertical.toLowerCase()} teams.`],
      };
    }
    const person = (body.person ?? {}) as Record<string, unknown>;
    const company = (body.company ?? {}) as Record<string, unknown>;
    return {
      opener: `Hi ${str(person.firstName, '')}, as ${str(person.jobTitle, 'a leader')} at ${str(company.name, '')}…`,
    };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = req.url ?? '';
    if (req.method !== 'POST' || (path !== '/v1/analyze' && path !== '/v1/opener')) {
      res.writeHead(404).end();
      return;
    }
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    requests.push({ key, path, body: raw });
    const faults = key.startsWith('flaky:')
      ? (key.slice(6).split(';')[0]!.split(',') as ProviderFault[])
      : [];
    const n = seen.get(`${key}\n${raw}`) ?? 0;
    seen.set(`${key}\n${raw}`, n + 1);
    if (n < faults.length) {
      const fault = faults[(hash(raw)[1]! + n) % faults.length]!;
      faultsServed[fault]++;
      if (fault === 'timeout') return; // never answered; the client's timeout gives up
      if (fault === '500') {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"vertical": "Soft');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(answer(path, JSON.parse(raw) as Record<string, unknown>)));
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => handle(req, res, raw));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faultsServed,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
