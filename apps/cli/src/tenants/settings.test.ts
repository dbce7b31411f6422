import { loadCliConfig } from '@so-connector/config';
import type { TenantConfig } from '@so-connector/tenants';
import { configForTenant, environmentTenant, tenantDefaults } from './settings';

const env = {
  SO_CONTEXT_IDENTIFIER: 'Cust1',
  SO_CLIENT_ID: 'app-id',
  SO_CLIENT_SECRET: 'app-secret',
  SO_REFRESH_TOKEN: 'env-refresh',
  SO_ENVIRONMENT: 'sod',
  SO_RATE_LIMIT_PER_SECOND: '7',
  SO_UDF_VERTICAL: 'SuperOffice:83',
  WEBHOOK_SECRET: 'env-secret',
  WEBHOOK_PUBLIC_URL: 'https://so.example.com/webhooks/superoffice',
  SCOPE_OWNER_ASSOCIATES: '5',
};

const tenant: TenantConfig = {
  contextIdentifier: 'Cust2',
  webhookSecrets: ['t-new', 't-old'],
  webhookToken: undefined,
  credentials: { kind: 'refresh-token', refreshToken: 't-refresh' },
  environment: 'online',
  apiBaseUrl: 'https://online2.superoffice.com/Cust2/api',
  tokenUrl: undefined,
  udf: {
    vertical: undefined,
    summary: 'SuperOffice:90',
    opener: undefined,
    personOpener: undefined,
  },
  ownerScope: ['JD'],
  ownAssociateId: 9,
  budget: { providerCallsPerHour: undefined, superofficeCallsPerMinute: undefined },
  provider: { provider: 'builtin' },
};

describe('configForTenant', () => {
  it("takes the tenant's settings and keeps the app identity and pacing", () => {
    const base = loadCliConfig(env);
    const sut = configForTenant(base, tenant, 'file');
    expect(sut.tenant).toEqual({ contextIdentifier: 'Cust2' });
    expect(sut.superoffice).toEqual({
      ok: true,
      value: {
        clientId: 'app-id',
        clientSecret: 'app-secret',
        redirectUri: undefined,
        udfWriteMode: 'json-patch',
        rateLimitPerSecond: 7,
        ownAssociateRefreshMs: 3_600_000,
        environment: 'online',
        refreshToken: 't-refresh',
        apiBaseUrl: 'https://online2.superoffice.com/Cust2/api',
        tokenUrl: undefined,
        ownAssociateId: 9,
      },
    });
    expect(sut.udfs).toEqual({ ok: true, value: tenant.udf });
    expect(sut.webhook).toEqual({
      ok: true,
      value: {
        publicUrl: 'https://so.example.com/webhooks/superoffice',
        secrets: ['t-new', 't-old'],
        token: undefined,
      },
    });
    expect(sut.scopeOwnerAssociates).toEqual(['JD']);
    expect(sut.redis).toBe(base.redis);
  });

  it('needs the app identity, and the app key for a system-user tenant', () => {
    const { SO_CLIENT_SECRET: _s, ...noSecret } = env;
    expect(configForTenant(loadCliConfig(noSecret), tenant, 'store').superoffice.ok).toBe(false);
    const system = configForTenant(
      loadCliConfig(env),
      { ...tenant, credentials: { kind: 'system-user', systemUserToken: 'App-1' } },
      'store',
    );
    expect(system.superoffice).toEqual({
      ok: false,
      problems: [
        {
          variable: '--tenant Cust2',
          message:
            "(from the tenant store) signs in as a system user (systemUserToken): set SO_APP_PRIVATE_KEY_FILE (the app's RSA private key)",
        },
      ],
    });
  });
});

describe('environmentTenant', () => {
  it('is the one-tenant shorthand of the environment', () => {
    expect(environmentTenant(loadCliConfig(env))).toMatchObject({
      contextIdentifier: 'Cust1',
      webhookSecrets: ['env-secret'],
      credentials: { kind: 'refresh-token', refreshToken: 'env-refresh' },
      environment: 'sod',
      ownerScope: ['5'],
    });
  });

  it('is none without SO_CONTEXT_IDENTIFIER', () => {
    expect(environmentTenant(loadCliConfig({ TENANTS_FILE: '/x.yaml' }))).toBeUndefined();
  });

  it('gives file tenants SO_ENVIRONMENT and the provider as defaults', () => {
    expect(tenantDefaults(loadCliConfig(env))).toEqual({
      environment: 'sod',
      provider: { provider: 'builtin' },
    });
  });
});
