import crypto from 'node:crypto';
import type { TenantConfig } from '@so-connector/tenants';
import { aTenant } from '@so-connector/tenants/testing';
import type { DeliveryCredentials } from './authenticate';
import { identifyByBody, identifyByPath, type TenantLookup } from './identify-delivery';

// docs/receiver.md "Unknown tenant and wrong signature": a refused delivery for a tenant this
// deployment does not serve must cost what one with a wrong signature for a served tenant costs.
// Timing is not asserted in unit tests (house rule); the work is: the HMACs computed over the body,
// the constant-time comparisons, and the hashes of a `?token=` compare.

/** The registry's lookup over a fixed set (case-insensitive, as TenantRegistry.find). */
function lookup(...tenants: TenantConfig[]): TenantLookup {
  const byLower = new Map(tenants.map((t) => [t.contextIdentifier.toLowerCase(), t]));
  return { find: (ctx) => byLower.get(ctx.toLowerCase()) };
}

const oneSecret = aTenant('CustOne', { webhookSecrets: ['one-secret'] });
const rotating = aTenant('CustTwo', { webhookSecrets: ['new-secret', 'old-secret'] });
const tokenOnly = aTenant('CustToken', { webhookSecrets: [], webhookToken: 'legacy-token' });
const envTenant = aTenant('Cust12345', { webhookSecrets: ['env-secret'] });
const served = lookup(oneSecret, rotating, tokenOnly, envTenant);
const strict = { allowUnsigned: false };

/** The real createHmac, kept before the spies replace it. */
const realCreateHmac = crypto.createHmac;

const body = (ctx: string) => Buffer.from(JSON.stringify({ EventId: 'x', ContextIdentifier: ctx }));
/** Signed with a secret no tenant has; computed before the work is counted. */
const guessed = (raw: Buffer): DeliveryCredentials => ({
  signature: realCreateHmac('sha256', 'a guess').update(raw).digest('base64'),
  token: undefined,
});
const guessedToken: DeliveryCredentials = { signature: undefined, token: 'a-guessed-token' };

interface Work {
  readonly hmacs: number;
  /** Bytes fed to the HMACs: the body once per HMAC. */
  readonly hmacBytes: number;
  readonly comparisons: number;
  readonly hashes: number;
}

let hmac: jest.SpiedFunction<typeof crypto.createHmac>;
let compare: jest.SpiedFunction<typeof crypto.timingSafeEqual>;
let hash: jest.SpiedFunction<typeof crypto.createHash>;
beforeEach(() => {
  hmac = jest.spyOn(crypto, 'createHmac');
  compare = jest.spyOn(crypto, 'timingSafeEqual');
  hash = jest.spyOn(crypto, 'createHash');
});
afterEach(() => {
  jest.restoreAllMocks();
});

/** The crypto work `refuse` does; it must refuse (a delivery let through costs what it costs). */
function workOf(refuse: () => { ok: boolean }): Work {
  const updates: Buffer[] = [];
  hmac.mockClear();
  compare.mockClear();
  hash.mockClear();
  hmac.mockImplementation((...args: Parameters<typeof crypto.createHmac>) => {
    const real = realCreateHmac(...args);
    const update = real.update.bind(real);
    real.update = ((data: Buffer) => {
      updates.push(data);
      return update(data);
    }) as typeof real.update;
    return real;
  });
  expect(refuse().ok).toBe(false);
  return {
    hmacs: hmac.mock.calls.length,
    hmacBytes: updates.reduce((n, data) => n + data.length, 0),
    comparisons: compare.mock.calls.length,
    hashes: hash.mock.calls.length,
  };
}

describe('a refused delivery costs the same for an unknown tenant as for a wrong signature', () => {
  it('on the tenant route (/webhooks/superoffice/{ctx})', () => {
    const raw = body('CustOne');
    const signed = guessed(raw);
    const wrongSignature = workOf(() => identifyByPath(oneSecret, raw, signed, strict));
    expect(wrongSignature).toEqual({
      hmacs: 2,
      hmacBytes: 2 * raw.length,
      comparisons: 2,
      hashes: 0,
    });
    for (const tenant of [rotating, tokenOnly]) {
      expect(workOf(() => identifyByPath(tenant, raw, signed, strict))).toEqual(wrongSignature);
    }
    // The path named a tenant the registry does not hold: placeholder secrets, same work.
    expect(workOf(() => identifyByPath(undefined, raw, signed, strict))).toEqual(wrongSignature);
  });

  it.each([
    ['with the environment tenant to fall back on', 'Cust12345'],
    ['without an environment tenant', undefined],
  ])('on the body routes (/webhooks/superoffice), %s', (_label, defaultTenant) => {
    const named = (ctx: string) => {
      const raw = body(ctx);
      const signed = guessed(raw);
      return () => identifyByBody(raw, signed, served, defaultTenant, strict);
    };
    const wrongSignature = workOf(named('CustOne'));
    // Checked against the named tenant, then once more against the fallback (or placeholders).
    expect(wrongSignature).toEqual({
      hmacs: 4,
      hmacBytes: 4 * body('CustOne').length,
      comparisons: 4,
      hashes: 0,
    });
    // Same-length ids, so the bodies are the same size.
    expect(workOf(named('CustTwo'))).toEqual(wrongSignature);
    expect(workOf(named('CustZZZ'))).toEqual(wrongSignature);
    expect(workOf(named('custone'))).toEqual(wrongSignature);
  });

  it('for a guessed ?token=, on either route', () => {
    const raw = body('CustToken');
    const wrongToken = workOf(() => identifyByPath(tokenOnly, raw, guessedToken, strict));
    expect(wrongToken).toMatchObject({ hmacs: 0, comparisons: 1, hashes: 2 });
    expect(workOf(() => identifyByPath(undefined, raw, guessedToken, strict))).toEqual(wrongToken);
    expect(workOf(() => identifyByPath(oneSecret, raw, guessedToken, strict))).toEqual(wrongToken);

    const byBody = (ctx: string) => {
      const raw = body(ctx);
      return () => identifyByBody(raw, guessedToken, served, 'Cust12345', strict);
    };
    const bodyWrongToken = workOf(byBody('CustToken'));
    expect(bodyWrongToken).toMatchObject({ hmacs: 0, comparisons: 2, hashes: 4 });
    expect(workOf(byBody('CustZZZZZ'))).toEqual(bodyWrongToken);
  });
});
