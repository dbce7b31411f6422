import type { TenantRegistryView } from '@so-connector/tenants';
import { formatTenant, formatTenantList, type TenantEntry } from './view';

const entry: TenantEntry = {
  contextIdentifier: 'Cust2',
  webhookSecrets: ['[REDACTED]', '[REDACTED]'],
  webhookToken: '[REDACTED]',
  credentials: { kind: 'refresh-token', refreshToken: '[REDACTED]' },
  environment: 'online',
  apiBaseUrl: undefined,
  tokenUrl: undefined,
  udf: {
    vertical: 'SuperOffice:83',
    summary: undefined,
    opener: undefined,
    personOpener: undefined,
  },
  ownerScope: [],
  ownAssociateId: undefined,
  budget: { providerCallsPerHour: 500, superofficeCallsPerMinute: undefined },
  provider: { provider: 'builtin' },
  source: 'file',
  shadows: ['store'],
};

describe('formatTenantList', () => {
  it('shows one row per tenant and each problem', () => {
    const view: TenantRegistryView = {
      tenants: [entry],
      problems: [{ source: 'file', message: '[tenants] invalid TENANTS_FILE x: ...' }],
    };
    expect(formatTenantList(view)).toBe(
      [
        'TENANT  SOURCE  SHADOWS  ENV     AUTH           WEBHOOK                       PROVIDER  UDFS',
        'Cust2   file    store    online  refresh-token  2 secrets (rotating) + token  builtin   vertical=SuperOffice:83',
        'problem (file, last good set kept): [tenants] invalid TENANTS_FILE x: ...',
      ].join('\n'),
    );
  });

  it('says how to add the first tenant', () => {
    expect(formatTenantList({ tenants: [], problems: [] })).toMatch(/^no tenants: /);
  });
});

describe('formatTenant', () => {
  it('lists every setting with its default spelled out', () => {
    expect(formatTenant(entry)).toBe(
      [
        'tenant         Cust2',
        'source         TENANTS_FILE',
        'shadows        store (ignored for it)',
        'environment    online',
        'api base       from the tenant status endpoint',
        'auth           refresh-token',
        'webhook        2 secrets (rotating) + token',
        'udfs           vertical=SuperOffice:83',
        'owner scope    all accounts',
        'own associate  learned from currentPrincipal',
        'budget         500 provider calls/h',
        'provider       builtin',
      ].join('\n'),
    );
  });
});
