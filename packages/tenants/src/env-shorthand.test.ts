import { loadReceiverConfig, loadWorkerConfig } from '@so-connector/config';
import { defaultsFromWorkerConfig, tenantFromEnvironment } from './env-shorthand';
import { parseTenantsFile } from './tenants-file';

const env = {
  SO_CONTEXT_IDENTIFIER: 'Cust12345',
  WEBHOOK_SECRET: 'whsec-new, whsec-old',
  WEBHOOK_TOKEN: 'legacy-token',
  SO_CLIENT_ID: 'app-id',
  SO_CLIENT_SECRET: 'app-secret',
  SO_REFRESH_TOKEN: 'rt-1',
  SO_ENVIRONMENT: 'sod',
  SO_API_BASE_URL: 'http://127.0.0.1:4010/Cust12345/api',
  SO_TOKEN_URL: 'http://127.0.0.1:4010/login/common/oauth/tokens',
  SO_UDF_VERTICAL: 'SuperOffice:83',
  SO_UDF_PERSON_OPENER: 'SuperOffice:12',
  SO_OWN_ASSOCIATE_ID: '99',
  SCOPE_OWNER_ASSOCIATES: '12, JD',
  ENRICHMENT_PROVIDER: 'company-explorer',
  COMPANY_EXPLORER_URL: 'https://ce.example.com',
  COMPANY_EXPLORER_API_KEY: 'ce-key',
};

describe('tenantFromEnvironment', () => {
  it('holds what the worker uses today: credentials, URLs, UDFs, scope, associate, provider', () => {
    const worker = loadWorkerConfig(env);
    expect(tenantFromEnvironment(worker)).toEqual({
      contextIdentifier: 'Cust12345',
      webhookSecrets: [],
      webhookToken: undefined,
      credentials: { kind: 'refresh-token', refreshToken: worker.superoffice.refreshToken },
      environment: worker.superoffice.environment,
      apiBaseUrl: worker.superoffice.apiBaseUrl,
      tokenUrl: worker.superoffice.tokenUrl,
      udf: {
        vertical: worker.udfs.vertical,
        summary: undefined,
        opener: undefined,
        personOpener: worker.udfs.personOpener,
      },
      ownerScope: worker.scopeOwnerAssociates,
      ownAssociateId: worker.superoffice.ownAssociateId,
      budget: { providerCallsPerHour: undefined, superofficeCallsPerMinute: undefined },
      provider: worker.enrichment,
    });
    expect(tenantFromEnvironment(worker)).toMatchObject({
      credentials: { refreshToken: 'rt-1' },
      environment: 'sod',
      ownerScope: ['12', 'JD'],
      ownAssociateId: 99,
      provider: { provider: 'company-explorer', apiKey: 'ce-key', timeoutMs: 30_000 },
    });
  });

  it('holds what the receiver uses today: the secrets in rotation order and the legacy token', () => {
    const receiver = loadReceiverConfig(env);
    expect(tenantFromEnvironment(receiver)).toMatchObject({
      contextIdentifier: 'Cust12345',
      webhookSecrets: ['whsec-new', 'whsec-old'],
      webhookToken: 'legacy-token',
      credentials: undefined,
    });
  });

  it('combines both halves when a process has both configurations', () => {
    const both = { ...loadReceiverConfig(env), ...loadWorkerConfig(env) };
    expect(tenantFromEnvironment(both)).toMatchObject({
      webhookSecrets: ['whsec-new', 'whsec-old'],
      credentials: { kind: 'refresh-token', refreshToken: 'rt-1' },
    });
  });

  it('equals the same tenant written in TENANTS_FILE with the worker defaults', () => {
    const worker = loadWorkerConfig(env);
    const receiver = loadReceiverConfig(env);
    const [fromFile] = parseTenantsFile(
      `tenants:
  - contextIdentifier: Cust12345
    webhookSecrets: [whsec-new, whsec-old]
    webhookToken: legacy-token
    refreshToken: rt-1
    apiBaseUrl: "http://127.0.0.1:4010/Cust12345/api"
    tokenUrl: "http://127.0.0.1:4010/login/common/oauth/tokens"
    udf: { vertical: "SuperOffice:83", personOpener: "SuperOffice:12" }
    ownerScope: [12, JD]
    ownAssociateId: 99
`,
      { path: 't.yaml', env: {}, defaults: defaultsFromWorkerConfig(worker) },
    );
    expect(fromFile).toEqual(tenantFromEnvironment({ ...receiver, ...worker }));
  });

  it('is none when the environment names no tenant (TENANTS_FILE or the store give them)', () => {
    const { SO_CONTEXT_IDENTIFIER: _c, WEBHOOK_SECRET: _w, WEBHOOK_TOKEN: _t, ...rest } = env;
    const receiver = loadReceiverConfig({ ...rest, TENANTS_FILE: 't.yaml' });
    const { SO_REFRESH_TOKEN: _r, ...noToken } = rest;
    const worker = loadWorkerConfig({ ...noToken, TENANTS_FILE: 't.yaml' });
    expect(tenantFromEnvironment(receiver)).toBeUndefined();
    expect(tenantFromEnvironment({ ...receiver, ...worker })).toBeUndefined();
  });
});
