import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemUserAuth } from '@so-connector/superoffice-client';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { sample } from './samples';

// The system-user flow against SuperOffice's documented requests (auth-application/*.md): the
// client must send PartnerSystemUser/Authenticate as documented and call the API with the
// documented headers, and the simulator must take both as documented.
const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
const authenticate = sample('PartnerSystemUser_Authenticate.request');
const apiCall = sample('SystemUser_currentPrincipal.request');

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ systemUser: { appPublicKey: app.publicKey } });
});
afterAll(async () => {
  await sim.stop();
});

const authFor = (authenticateUrl: string) =>
  new SystemUserAuth({
    authenticateUrl,
    jwksUrl: sim.jwksUrl,
    contextIdentifier: sim.state.contextIdentifier,
    clientSecret: sim.client.clientSecret,
    systemUserToken: sim.systemUser.systemUserToken,
    privateKey: app.privateKey,
  });

describe('the documented system-user requests', () => {
  it('the client sends Authenticate with the documented method, path, headers and fields', async () => {
    let seen: {
      method: string | undefined;
      url: string | undefined;
      headers: IncomingHttpHeaders;
      body: string;
    } = {
      method: undefined,
      url: undefined,
      headers: {},
      body: '',
    };
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ IsSuccessful: false, ErrorMessage: 'captured' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const documented = new URL(
        authenticate.startLine.split(' ')[1]!.replace('{environment}', 'x'),
      );
      await expect(
        authFor(`http://127.0.0.1:${port}${documented.pathname}`).authorize(),
      ).rejects.toThrow(/captured/);
      expect(`${seen.method} ${seen.url}`).toBe(`POST ${documented.pathname}`);
      for (const name of ['content-type', 'accept'])
        expect(seen.headers[name]).toContain(authenticate.headers[name]);
      const body = JSON.parse(seen.body) as Record<string, string>;
      expect(Object.keys(body).sort()).toEqual(Object.keys(authenticate.body as object).sort());
      expect(body.ReturnTokenType).toBe(
        (authenticate.body as Record<string, string>).ReturnTokenType,
      );
      expect(body.SignedSystemToken).toMatch(
        new RegExp(`^${sim.systemUser.systemUserToken}\\.\\d{12}\\.[A-Za-z0-9+/]+=*$`),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('the simulator takes the documented request and the client the documented API headers', async () => {
    const auth = authFor(sim.systemUserUrl);
    const headers = await auth.authorize();
    // Header names and scheme as documented: `Authorization: SOTicket …`, `SO-AppToken: …`.
    const documentedNames = Object.keys(apiCall.headers).filter((h) => h !== 'accept');
    expect(
      Object.keys(headers)
        .map((h) => h.toLowerCase())
        .sort(),
    ).toEqual(documentedNames.sort());
    expect(headers.Authorization!.split(' ')[0]).toBe(apiCall.headers.authorization!.split(' ')[0]);
    const res = await fetch(`${sim.apiBaseUrl()}/v1/User/currentPrincipal`, {
      headers: { ...headers, accept: apiCall.headers.accept! },
    });
    expect(res.status).toBe(200);
  });
});
