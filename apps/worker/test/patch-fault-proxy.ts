import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PatchFaultProxy {
  /** The simulator's API base, through the proxy (what SO_API_BASE_URL should be). */
  readonly apiBaseUrl: string;
  /** The next `n` PATCH requests are answered 500 without reaching SuperOffice. */
  failNextPatches(n: number): void;
  /** PATCH requests answered 500 so far. */
  failedPatches(): number;
  close(): Promise<void>;
}

/**
 * A plain HTTP pass-through in front of the simulator's API that can fail PATCHes only: the reads
 * and the provider step succeed, the write fails, as when SuperOffice answers 5xx to a save. The
 * simulator's own faults hit every call alike, which would stop a job before the provider.
 */
export async function startPatchFaultProxy(simApiBaseUrl: string): Promise<PatchFaultProxy> {
  const target = new URL(simApiBaseUrl);
  let toFail = 0;
  let failed = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'PATCH' && toFail > 0) {
      toFail--;
      failed++;
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Error: 'injected PATCH failure', ErrorType: 'SoServerException' }));
      return;
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiBaseUrl: `http://127.0.0.1:${port}${target.pathname}`,
    failNextPatches: (n) => {
      toFail = n;
    },
    failedPatches: () => failed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
