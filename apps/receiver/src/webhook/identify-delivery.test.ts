import { createHmac } from 'node:crypto';
import type { TenantConfig } from '@so-connector/tenants';
import { identifyByBody, identifyByPath, type TenantLookup } from './identify-delivery';

function tenant(contextIdentifier: string, webhookSecrets: string[]): TenantConfig {
  return {
    contextIdentifier,
    webhookSecrets,
    webhookToken: undefined,
    credentials: undefined,
    environment: 'online',
    apiBaseUrl: undefined,
    tokenUrl: undefined,
    udf: { vertical: undefined, summary: undefined, opener: undefined, personOpener: undefined },
    ownerScope: [],
    ownAssociateId: undefined,
    budget: { providerCallsPerHour: undefined, superofficeCallsPerMinute: undefined },
    provider: { provider: 'builtin' },
  };
}

/** The registry's lookup over a fixed set (case-insensitive, as TenantRegistry.find). */
function lookup(...tenants: TenantConfig[]): TenantLookup {
  const byLower = new Map(tenants.map((t) => [t.contextIdentifier.toLowerCase(), t]));
  return { find: (ctx) => byLower.get(ctx.toLowerCase()) };
}

const envTenant = tenant('Cust12345', ['env-secret']);
const custA = tenant('CustA', ['a-secret']);
const unsignedEnv = tenant('Cust12345', []);
const strict = { allowUnsigned: false };

const body = (ctx: unknown) =>
  Buffer.from(JSON.stringify({ EventId: 'x', ContextIdentifier: ctx }));
const signed = (raw: Buffer, secret: string) => ({
  signature: createHmac('sha256', secret).update(raw).digest('base64'),
  token: undefined,
});
const ctxOf = (identity: ReturnType<typeof identifyByBody>) =>
  identity.ok ? identity.tenant.contextIdentifier : identity.message;

describe('identifyByBody (tenant named in the body)', () => {
  const tenants = lookup(envTenant, custA);

  it.each([
    ['its own tenant, any letter case', body('custa'), 'a-secret', 'CustA'],
    ['the environment tenant', body('Cust12345'), 'env-secret', 'Cust12345'],
    // Signed for the environment's tenant but naming another: the route answers 403 (or 400).
    ['another served tenant, signed by the env tenant', body('CustA'), 'env-secret', 'Cust12345'],
    ['an unserved tenant, signed by the env tenant', body('CustZ'), 'env-secret', 'Cust12345'],
    [
      'no readable tenant, signed by the env tenant',
      Buffer.from('{broken'),
      'env-secret',
      'Cust12345',
    ],
    [
      "a served tenant, signed with another's secret",
      body('Cust12345'),
      'a-secret',
      'X-SuperOffice-Signature does not match the body',
    ],
    [
      'an unserved tenant, signed with a guess',
      body('CustZ'),
      'guess',
      'X-SuperOffice-Signature does not match the body',
    ],
  ])('%s', (_label, raw, secret, expected) => {
    expect(ctxOf(identifyByBody(raw, signed(raw, secret), tenants, 'Cust12345', strict))).toBe(
      expected,
    );
  });

  it('without an environment tenant, only the named tenant can authenticate a delivery', () => {
    const raw = body('CustZ');
    const identity = identifyByBody(raw, signed(raw, 'a-secret'), tenants, undefined, strict);
    expect(identity).toMatchObject({
      ok: false,
      message: 'X-SuperOffice-Signature does not match the body',
    });
    const own = body('CustA');
    expect(ctxOf(identifyByBody(own, signed(own, 'a-secret'), tenants, undefined, strict))).toBe(
      'CustA',
    );
  });

  it('hands the decoded body on, so the route does not decode it twice', () => {
    const raw = body('CustA');
    expect(
      identifyByBody(raw, signed(raw, 'a-secret'), tenants, undefined, strict).decoded,
    ).toEqual({
      ok: true,
      json: { EventId: 'x', ContextIdentifier: 'CustA' },
    });
  });

  it('lets ALLOW_UNSIGNED serve a tenant without secrets, never an unserved one', () => {
    const unsigned = { signature: undefined, token: undefined };
    const open = lookup(unsignedEnv);
    const allow = { allowUnsigned: true };
    expect(identifyByBody(body('Cust12345'), unsigned, open, 'Cust12345', allow)).toMatchObject({
      ok: true,
      method: 'unsigned',
    });
    expect(identifyByBody(body('Cust12345'), unsigned, open, 'Cust12345', strict).ok).toBe(false);
    // An unserved tenant falls to the env tenant: the route refuses it with 403, as before.
    expect(ctxOf(identifyByBody(body('CustZ'), unsigned, open, 'Cust12345', allow))).toBe(
      'Cust12345',
    );
    expect(identifyByBody(body('CustZ'), unsigned, lookup(), undefined, allow).ok).toBe(false);
  });
});

describe('identifyByPath (tenant from the path, looked up before the body is read)', () => {
  const raw = body('CustA');

  it("authenticates with the path tenant's secrets only", () => {
    expect(ctxOf(identifyByPath(custA, raw, signed(raw, 'a-secret'), strict))).toBe('CustA');
    expect(identifyByPath(custA, raw, signed(raw, 'env-secret'), strict).ok).toBe(false);
  });

  it('refuses an unserved tenant exactly as a wrong signature', () => {
    const wrongSignature = identifyByPath(custA, raw, signed(raw, 'guess'), strict);
    expect(identifyByPath(undefined, raw, signed(raw, 'guess'), strict)).toEqual(wrongSignature);
    expect(identifyByPath(undefined, raw, signed(raw, 'a-secret'), strict)).toEqual(wrongSignature);
    const unsigned = { signature: undefined, token: undefined };
    expect(identifyByPath(undefined, raw, unsigned, { allowUnsigned: true })).toEqual(
      identifyByPath(custA, raw, unsigned, { allowUnsigned: true }),
    );
  });
});
