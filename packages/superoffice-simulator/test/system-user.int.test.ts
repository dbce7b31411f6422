import { generateKeyPairSync, sign } from 'node:crypto';
import { startSimulator, type RunningSimulator } from '../src';

// The system-user flow over real sockets, spoken with plain fetch (the client has its own tests).
const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({ systemUser: { appPublicKey: app.publicKey } });
});
afterEach(async () => {
  await sim.stop();
});

function signedToken(token: string, at = Date.now()): string {
  const data = `${token}.${new Date(at).toISOString().replace(/[-T:]/g, '').slice(0, 12)}`;
  return `${data}.${sign('sha256', Buffer.from(data), app.privateKey).toString('base64')}`;
}

async function authenticate(body: Record<string, unknown>) {
  const res = await fetch(sim.systemUserUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function ticket(): Promise<string> {
  const { body } = await authenticate({
    SignedSystemToken: signedToken(sim.systemUser.systemUserToken),
    ApplicationToken: sim.client.clientSecret,
    ContextIdentifier: sim.state.contextIdentifier,
    ReturnTokenType: 'JWT',
  });
  const payload = String(body.Token).split('.')[1]!;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, string>;
  return claims['http://schemes.superoffice.net/identity/ticket']!;
}

const principal = (headers: Record<string, string>) =>
  fetch(`${sim.apiBaseUrl()}/v1/User/currentPrincipal`, { headers }).then((r) => r.status);

describe('the simulated system-user flow', () => {
  it('issues a ticket that works with SO-AppToken, and not without it', async () => {
    const t = await ticket();
    expect(
      await principal({ authorization: `SOTicket ${t}`, 'so-apptoken': sim.client.clientSecret }),
    ).toBe(200);
    expect(await principal({ authorization: `SOTicket ${t}` })).toBe(401);
    expect(await principal({ authorization: `SOTicket ${t}`, 'so-apptoken': 'other' })).toBe(401);
    expect(sim.counters.get('POST PartnerSystemUser/Authenticate')).toBe(1);
    expect(sim.systemUser.ticketsIssued).toBe(1);
  });

  it('answers 401 for an expired or unknown ticket', async () => {
    const t = await ticket();
    sim.expireTickets();
    const headers = { 'so-apptoken': sim.client.clientSecret };
    expect(await principal({ ...headers, authorization: `SOTicket ${t}` })).toBe(401);
    expect(await principal({ ...headers, authorization: 'SOTicket 7T:unknown' })).toBe(401);
  });

  it('refuses an old time stamp with IsSuccessful false and no ticket', async () => {
    const { status, body } = await authenticate({
      SignedSystemToken: signedToken(sim.systemUser.systemUserToken, Date.now() - 3600_000),
      ApplicationToken: sim.client.clientSecret,
      ContextIdentifier: sim.state.contextIdentifier,
      ReturnTokenType: 'JWT',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ IsSuccessful: false, Token: null });
    expect(body.ErrorMessage).toMatch(/^InvalidTimestamp/);
  });

  it('answers 400 to a body that is not JSON, and keeps the OAuth flow working', async () => {
    const res = await fetch(sim.systemUserUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ IsSuccessful: false });
    expect(await principal({ authorization: `Bearer ${await sim.issueAccessToken()}` })).toBe(200);
  });

  it('publishes the JWT key as a JWKS', async () => {
    const jwks = (await (await fetch(sim.jwksUrl)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});
