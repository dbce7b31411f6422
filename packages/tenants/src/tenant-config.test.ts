import { inspect } from 'node:util';
import { aTenant } from '../test/builders';
import { freezeTenant, REDACTED, redactTenant, type TenantConfig } from './tenant-config';

const SECRETS = ['whsec-new-5c1d', 'whsec-old-77aa', 'legacy-tok-91', 'rt-0b9e', 'ce-key-41f0'];
const tenant: TenantConfig = aTenant('Cust1', {
  webhookSecrets: [SECRETS[0]!, SECRETS[1]!],
  webhookToken: SECRETS[2],
  credentials: { kind: 'refresh-token', refreshToken: SECRETS[3]! },
  ownAssociateId: 99,
  provider: {
    provider: 'company-explorer',
    baseUrl: 'https://ce.example.com',
    apiKey: SECRETS[4]!,
    timeoutMs: 30_000,
  },
});

describe('redactTenant', () => {
  it('replaces every secret and keeps what an operator needs to see', () => {
    expect(redactTenant(tenant)).toEqual({
      ...tenant,
      webhookSecrets: [REDACTED, REDACTED],
      webhookToken: REDACTED,
      credentials: { kind: 'refresh-token', refreshToken: REDACTED },
      provider: { ...tenant.provider, apiKey: REDACTED },
    });
    expect(
      redactTenant({ ...tenant, credentials: { kind: 'system-user', systemUserToken: 'sut-x1' } })
        .credentials,
    ).toEqual({ kind: 'system-user', systemUserToken: REDACTED });
  });
});

describe('freezeTenant', () => {
  it('keeps the values for use but shows only the redacted view to JSON, String and inspect', () => {
    const sut = freezeTenant(tenant);
    // freezeTenant gives the object its own toString, which the type does not show.
    const asString = (value: { toString(): string }) => value.toString();
    expect(sut).toEqual(tenant);
    expect(Object.isFrozen(sut) && Object.isFrozen(sut.webhookSecrets)).toBe(true);
    for (const shown of [JSON.stringify(sut), asString(sut), inspect(sut, { depth: 5 })]) {
      for (const secret of SECRETS) expect(shown).not.toContain(secret);
    }
    expect(JSON.parse(JSON.stringify({ tenant: sut }))).toMatchObject({
      tenant: { contextIdentifier: 'Cust1', webhookSecrets: [REDACTED, REDACTED] },
    });
    expect(asString(sut)).toBe('TenantConfig(Cust1)');
  });
});
