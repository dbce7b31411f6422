import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { parseTimestamp, SystemUserState, TICKET_CLAIM } from './system-user';

const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const T0 = Date.UTC(2026, 10, 30, 12, 34, 30);

const stampOf = (ms: number) => new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 12);
const signed = (token: string, at: number, key = app.privateKey) => {
  const data = `${token}.${stampOf(at)}`;
  return `${data}.${sign('sha256', Buffer.from(data), key).toString('base64')}`;
};

function tenant(now: { t: number }, lifetimeSeconds = 6 * 3600) {
  return new SystemUserState(
    {
      appPublicKey: app.publicKey,
      systemUserToken: 'SoConnector-abc.def',
      ticketLifetimeSeconds: lifetimeSeconds,
    },
    {
      contextIdentifier: 'Cust1',
      applicationToken: 'app-secret',
      associateId: 42,
      now: () => now.t,
    },
  );
}

const request = (signedToken: string, overrides: Record<string, unknown> = {}) => ({
  SignedSystemToken: signedToken,
  ApplicationToken: 'app-secret',
  ContextIdentifier: 'Cust1',
  ReturnTokenType: 'JWT',
  ...overrides,
});

describe('parseTimestamp', () => {
  it('reads yyyyMMddHHmm as UTC and refuses impossible minutes', () => {
    expect(parseTimestamp('202611301234')).toBe(Date.UTC(2026, 10, 30, 12, 34));
    expect(parseTimestamp('202602301234')).toBeNaN();
    expect(parseTimestamp('202611302460')).toBeNaN();
    expect(parseTimestamp('2026113012345')).toBeNaN();
  });
});

describe('SystemUserState', () => {
  it('issues a ticket in an RS256 JWT that its JWKS verifies (token with periods)', () => {
    const now = { t: T0 };
    const sut = tenant(now);
    const outcome = sut.authenticate(request(signed('SoConnector-abc.def', T0)));
    if (!outcome.ok) throw new Error(outcome.message);
    const [h, p, s] = outcome.jwt.split('.') as [string, string, string];
    const key = createPublicKey({ key: sut.jwks().keys[0]!, format: 'jwk' } as never);
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'SuperOffice AS', aud: 'spn:1801550193' });
    expect(claims[TICKET_CLAIM]).toBe(outcome.ticket);
    expect(sut.ticketsIssued).toBe(1);
  });

  it.each([
    [
      'a wrong application token',
      request(signed('SoConnector-abc.def', T0), { ApplicationToken: 'x' }),
      'InvalidApplicationToken',
    ],
    [
      'another tenant',
      request(signed('SoConnector-abc.def', T0), { ContextIdentifier: 'Cust2' }),
      'UnknownTenant',
    ],
    ['an unknown system token', request(signed('SoConnector-other', T0)), 'Revoked'],
    [
      'a signature by another key',
      request(signed('SoConnector-abc.def', T0, other.privateKey)),
      'InvalidSignature',
    ],
    [
      'a stamp 7 minutes old',
      request(signed('SoConnector-abc.def', T0 - 7 * 60_000)),
      'InvalidTimestamp',
    ],
    [
      'a stamp 6 minutes ahead',
      request(signed('SoConnector-abc.def', T0 + 6 * 60_000)),
      'InvalidTimestamp',
    ],
    ['no signature', request('SoConnector-abc.def.202611301234'), 'MalformedToken'],
    [
      'a SAML request',
      request(signed('SoConnector-abc.def', T0), { ReturnTokenType: 'Saml' }),
      'UnsupportedTokenType',
    ],
  ])('refuses %s', (_what, body, reason) => {
    const sut = tenant({ t: T0 });
    expect(sut.authenticate(body)).toMatchObject({ ok: false, reason });
    expect(sut.ticketsIssued).toBe(0);
  });

  it('accepts a stamp up to 5 minutes either side (minute precision)', () => {
    const sut = tenant({ t: T0 });
    expect(sut.authenticate(request(signed('SoConnector-abc.def', T0 - 5 * 60_000)))).toMatchObject(
      { ok: true },
    );
    expect(sut.authenticate(request(signed('SoConnector-abc.def', T0 + 5 * 60_000)))).toMatchObject(
      { ok: true },
    );
  });

  it('refuses every request when no app public key is registered', () => {
    const sut = tenant({ t: T0 });
    sut.setAppPublicKey(undefined);
    expect(sut.authenticate(request(signed('SoConnector-abc.def', T0)))).toMatchObject({
      ok: false,
      reason: 'InvalidSignature',
    });
  });

  it('keeps a ticket alive for 6 hours from its last use (sliding), then forgets it', () => {
    const now = { t: T0 };
    const sut = tenant(now);
    const outcome = sut.authenticate(request(signed('SoConnector-abc.def', T0)));
    if (!outcome.ok) throw new Error(outcome.message);
    now.t += 5 * 3600_000;
    expect(sut.useTicket(outcome.ticket)).toBe(true);
    now.t += 5 * 3600_000; // 10 h after issue, 5 h after the last use
    expect(sut.useTicket(outcome.ticket)).toBe(true);
    now.t += 6 * 3600_000 + 1;
    expect(sut.useTicket(outcome.ticket)).toBe(false);
    now.t += 1;
    expect(sut.useTicket(outcome.ticket)).toBe(false);
  });

  it('expireTickets() ends every ticket; an unknown ticket never works', () => {
    const sut = tenant({ t: T0 });
    const outcome = sut.authenticate(request(signed('SoConnector-abc.def', T0)));
    if (!outcome.ok) throw new Error(outcome.message);
    expect(sut.useTicket('7T:made-up')).toBe(false);
    sut.expireTickets();
    expect(sut.useTicket(outcome.ticket)).toBe(false);
  });
});
