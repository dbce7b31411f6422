import { generateKeyPairSync } from 'node:crypto';
import axios from 'axios';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import {
  createSuperOfficeClient,
  fixedTenantUrl,
  SuperOfficeClient,
  SuperOfficeError,
  SystemUserAuth,
  type SuperOfficeConnectionSettings,
  type SystemUserAuthOptions,
} from '../src';

// The system-user flow end to end over real sockets: the client signs with the app's private key,
// the simulator checks the signature with the app's registered public key.
const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
const appPem = app.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

let sim: RunningSimulator;
beforeEach(async () => {
  sim = await startSimulator({ systemUser: { appPublicKey: app.publicKey } });
});
afterEach(async () => {
  await sim.stop();
});

const authenticateCalls = () => sim.counters.get('POST PartnerSystemUser/Authenticate');

function settings(
  overrides: Partial<SuperOfficeConnectionSettings> = {},
): SuperOfficeConnectionSettings {
  return {
    environment: 'online',
    contextIdentifier: sim.state.contextIdentifier,
    clientId: sim.client.clientId,
    clientSecret: sim.client.clientSecret,
    credentials: { kind: 'system-user', systemUserToken: sim.systemUser.systemUserToken },
    appPrivateKey: appPem,
    tokenUrl: sim.tokenUrl,
    apiBaseUrl: sim.apiBaseUrl(),
    ...overrides,
  };
}

/** A client over a SystemUserAuth built by hand, for the options createSuperOfficeClient hides. */
function clientWith(options: Partial<SystemUserAuthOptions>) {
  const auth = new SystemUserAuth({
    http: axios.create({ timeout: 5000 }),
    authenticateUrl: sim.systemUserUrl,
    jwksUrl: sim.jwksUrl,
    contextIdentifier: sim.state.contextIdentifier,
    clientSecret: sim.client.clientSecret,
    systemUserToken: sim.systemUser.systemUserToken,
    privateKey: app.privateKey,
    ...options,
  });
  return new SuperOfficeClient({ auth, tenant: fixedTenantUrl(sim.apiBaseUrl()) });
}

async function failureOf(promise: Promise<unknown>): Promise<SuperOfficeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SuperOfficeError) return error;
    throw error;
  }
  throw new Error('expected a SuperOfficeError');
}

/** Nothing secret in what a log line or an error page would show. */
function expectNoSecrets(error: Error) {
  const shown = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
  for (const secret of [sim.client.clientSecret, sim.systemUser.systemUserToken, '7T:'])
    expect(shown).not.toContain(secret);
  expect(shown).not.toMatch(/PRIVATE KEY|MII[A-Za-z0-9+/]{20}/);
}

describe('system-user auth against the simulator', () => {
  it('gets a ticket once and calls the API with SOTicket + SO-AppToken', async () => {
    const sut = createSuperOfficeClient(settings());
    await expect(sut.getContact(2)).resolves.toMatchObject({ ContactId: 2 });
    await expect(sut.getCurrentPrincipal()).resolves.toMatchObject({ AssociateId: 42 });
    await sut.getPerson(11);
    expect(authenticateCalls()).toBe(1);
    expect(sim.systemUser.ticketsIssued).toBe(1);
    expect(sim.counters.get('POST token')).toBe(0);
  });

  it('takes explicit PartnerSystemUser and JWKS URLs instead of the token URL host', async () => {
    const sut = createSuperOfficeClient(
      settings({ tokenUrl: undefined, systemUserUrl: sim.systemUserUrl, jwksUrl: sim.jwksUrl }),
    );
    await expect(sut.getContact(3)).resolves.toMatchObject({ ContactId: 3 });
    expect(authenticateCalls()).toBe(1);
  });

  it('names the refusal of a wrong key and no secret', async () => {
    const sut = createSuperOfficeClient(settings({ appPrivateKey: stranger.privateKey }));
    const error = await failureOf(sut.getContact(2));
    expect(error).toMatchObject({ kind: 'auth', errorType: 'SystemUserAuthenticationFailed' });
    expect(error.message).toContain('system user authentication refused: InvalidSignature');
    expect(error.message).toContain('/Login/api/PartnerSystemUser/Authenticate');
    expectNoSecrets(error);
    expect(sim.counters.get('GET Contact/{id}')).toBe(0);
  });

  it('renews an expired ticket once and the request succeeds', async () => {
    const sut = createSuperOfficeClient(settings());
    await sut.getContact(2);
    sim.expireTickets();
    await expect(sut.getContact(3)).resolves.toMatchObject({ ContactId: 3 });
    expect(authenticateCalls()).toBe(2);
    expect(sim.counters.get('GET Contact/{id}')).toBe(3);
  });

  it('shares one Authenticate among concurrent requests, first and after expiry', async () => {
    const sut = createSuperOfficeClient(settings());
    const burst = () =>
      Promise.all(Array.from({ length: 40 }, (_, i) => sut.getContact(2 + (i % 4))));
    await burst();
    expect(authenticateCalls()).toBe(1);
    sim.expireTickets();
    await burst();
    expect(authenticateCalls()).toBe(2);
    expect(sim.counters.get('GET jwks')).toBe(1);
  });

  it('renews at most once per request: a ticket refused again ends in a 401 auth error', async () => {
    const sut = clientWith({ onTicketIssued: () => sim.expireTickets() });
    const error = await failureOf(sut.getContact(2));
    expect(error).toMatchObject({ status: 401, kind: 'auth' });
    expect(authenticateCalls()).toBe(2);
    expectNoSecrets(error);
  });

  it('refuses a time stamp outside the window (a skewed clock) with a clear error', async () => {
    const sut = clientWith({ now: () => Date.now() - 30 * 60_000 });
    const error = await failureOf(sut.getContact(2));
    expect(error.message).toContain('InvalidTimestamp');
    expect(error.kind).toBe('auth');
    expectNoSecrets(error);
    expect(sim.systemUser.ticketsIssued).toBe(0);
  });

  it('keeps a ticket in use (sliding) and renews an idle one before using it', async () => {
    // Lifetime 6 min, renew margin 3 min; the clock moves at most 4 min (inside the ±5 min window).
    let offset = 0;
    const sut = clientWith({
      now: () => Date.now() + offset,
      ticketLifetimeMs: 6 * 60_000,
      renewMarginMs: 3 * 60_000,
    });
    await sut.getContact(2);
    offset = 2 * 60_000;
    await sut.getContact(2);
    offset = 4 * 60_000; // 4 min after issue, 2 min after the last use
    await sut.getContact(2);
    expect(authenticateCalls()).toBe(1);
    offset = 0;
    const idle = clientWith({
      now: () => Date.now() + offset,
      ticketLifetimeMs: 6 * 60_000,
      renewMarginMs: 3 * 60_000,
    });
    await idle.getContact(2);
    expect(authenticateCalls()).toBe(2);
    offset = 4 * 60_000; // idle for 4 min: within 3 min of the lifetime, so renewed before use
    await idle.getContact(2);
    expect(authenticateCalls()).toBe(3);
    // No call was answered 401: 3 by the first client, 2 by the idle one.
    expect(sim.counters.get('GET Contact/{id}')).toBe(5);
  });

  it('names a tenant that has not approved the app', async () => {
    const sut = clientWith({ contextIdentifier: 'Cust99999' });
    const error = await failureOf(sut.getContact(2));
    expect(error.message).toContain('UnknownTenant');
  });

  it('keeps the refresh-token kind, and refuses settings without credentials or key', async () => {
    const oauth = createSuperOfficeClient(
      settings({ credentials: { kind: 'refresh-token', refreshToken: sim.client.refreshToken } }),
    );
    await expect(oauth.getContact(2)).resolves.toMatchObject({ ContactId: 2 });
    expect(sim.counters.get('POST token')).toBe(1);
    expect(() => createSuperOfficeClient(settings({ appPrivateKey: undefined }))).toThrow(
      /tenant Cust12345: system-user credentials need the app's RSA private key/,
    );
    expect(() => createSuperOfficeClient(settings({ credentials: undefined }))).toThrow(
      /no refresh token or system-user token/,
    );
    expect(() => createSuperOfficeClient(settings({ appPrivateKey: 'not a key' }))).toThrow(
      /not a readable PEM private key/,
    );
  });
});
