import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A Company Explorer (packages/enrichment company-explorer.ts: POST /v1/analyze, /v1/opener, the
 * key as a Bearer token) over real HTTP that answers `429` with `Retry-After` when told to: its
 * rate limit belongs to the key, whichever tenant sends it.
 */
export interface RateLimitedExplorer {
  readonly url: string;
  /** Every request: when it came, its key and path, and whether it was refused with 429. */
  readonly requests: { at: number; key: string; path: string; limited: boolean }[];
  /** The next `count` requests are answered `429` with `Retry-After: seconds`. */
  limitNext(count: number, seconds: number): void;
  close(): Promise<void>;
}

export async function startRateLimitedExplorer(): Promise<RateLimitedExplorer> {
  const requests: RateLimitedExplorer['requests'] = [];
  const limit = { count: 0, seconds: 0 };
  const sockets = new Set<Socket>();
  const answer = (path: string, body: Record<string, unknown>): unknown => {
    const name = typeof body.name === 'string' ? body.name : '';
    if (path === '/v1/analyze') {
      const verticals = (body.verticals as string[] | undefined) ?? [];
      return {
        vertical: verticals[0] ?? 'Other',
        summary: `${name} analysed by the explorer.`,
        openers: [`Hello ${name}.`],
      };
    }
    return { opener: 'Hi, one idea for your team.' };
  };
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const path = req.url ?? '';
    const key = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const limited = limit.count > 0;
    requests.push({ at: Date.now(), key, path, limited });
    if (limited) {
      limit.count--;
      res
        .writeHead(429, {
          'content-type': 'application/json',
          'retry-after': String(limit.seconds),
        })
        .end('{"error":"rate limited"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(answer(path, JSON.parse(raw || '{}') as Record<string, unknown>)));
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
    requests,
    limitNext(count, seconds) {
      limit.count = count;
      limit.seconds = seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
