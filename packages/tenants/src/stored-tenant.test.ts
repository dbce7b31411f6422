import { randomBytes } from 'node:crypto';
import { aTenant } from '../test/builders';
import { StoredTenantError, TenantSecretsError } from './errors';
import { decodeStoredTenant, encodeStoredTenant } from './stored-tenant';
import type { TenantConfig } from './tenant-config';

const key = randomBytes(32);
const SECRETS = ['whsec-new-5c1d', 'legacy-tok-91', 'rt-0b9e', 'ce-key-41f0'];
const tenant: TenantConfig = aTenant('Cust1', {
  webhookSecrets: [SECRETS[0]!],
  webhookToken: SECRETS[1],
  credentials: { kind: 'refresh-token', refreshToken: SECRETS[2]! },
  environment: 'sod',
  apiBaseUrl: 'https://sod2.superoffice.com/Cust1/api',
  udf: { vertical: 'SuperOffice:83', summary: undefined, opener: undefined, personOpener: 'x:1' },
  ownerScope: ['12', 'JD'],
  budget: { providerCallsPerHour: 500, superofficeCallsPerMinute: undefined },
  provider: {
    provider: 'company-explorer',
    baseUrl: 'https://ce',
    apiKey: SECRETS[3]!,
    timeoutMs: 9,
  },
});

describe('encodeStoredTenant / decodeStoredTenant', () => {
  it('round-trips a tenant with every secret encrypted in the stored text', () => {
    const stored = encodeStoredTenant(tenant, key);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    expect(stored).toContain('"contextIdentifier":"Cust1"');
    expect(decodeStoredTenant('Cust1', stored, key)).toEqual(tenant);
  });

  it('refuses to store a tenant without SuperOffice credentials', () => {
    expect(() => encodeStoredTenant({ ...tenant, credentials: undefined }, key)).toThrow(
      new StoredTenantError('Cust1', 'credentials: is required'),
    );
  });

  it('refuses a record filed under another tenant, a plain-text secret, or a damaged record', () => {
    const stored = encodeStoredTenant(tenant, key);
    expect(() => decodeStoredTenant('Cust2', stored, key)).toThrow(
      '[tenants] onboarded tenant Cust2: stored under another contextIdentifier',
    );
    const plain = JSON.stringify({ v: 1, tenant: JSON.parse(JSON.stringify(tenant)) });
    expect(() => decodeStoredTenant('Cust1', plain, key)).toThrow(TenantSecretsError);
    expect(() => decodeStoredTenant('Cust1', '{', key)).toThrow(
      '[tenants] onboarded tenant Cust1: not JSON',
    );
  });

  it('detects a secret swapped between two fields (the field is authenticated)', () => {
    const record = JSON.parse(encodeStoredTenant(tenant, key));
    record.tenant.webhookToken = record.tenant.webhookSecrets[0];
    expect(() => decodeStoredTenant('Cust1', JSON.stringify(record), key)).toThrow(
      '[tenants] tenant Cust1 webhookToken: authentication failed (the stored value was altered)',
    );
  });
});
