import { ConfigError, loadReceiverConfig, loadWorkerConfig } from './index';

const valid = { SO_CONTEXT_IDENTIFIER: 'Cust12345', WEBHOOK_SECRET: 'current-secret-value' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadReceiverConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadReceiverConfig', () => {
  it('applies the documented defaults', () => {
    const sut = loadReceiverConfig(valid);
    expect(sut).toEqual({
      redis: {
        mode: 'single',
        url: 'redis://127.0.0.1:6379',
        replicaAcks: { replicas: 0, timeoutMs: 1000 },
      },
      queue: {
        prefix: 'so',
        dedupWindowSeconds: 86400,
        keepCompleted: { seconds: 3600, count: 1000 },
      },
      log: { level: 'info', format: 'json' },
      tenant: { contextIdentifier: 'Cust12345' },
      tenants: {},
      http: { port: 3000, shutdownTimeoutMs: 10000, requestTimeoutMs: 15000, trustProxy: false },
      udfs: {},
      webhook: { secrets: ['current-secret-value'], token: undefined, allowUnsigned: false },
      spool: { dir: './var/spool' },
    });
  });

  it.each([
    ['true', true],
    ['no', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.5, 10.1.0.0/16,::1', ['10.0.0.5', '10.1.0.0/16', '::1']],
  ])('reads TRUST_PROXY=%s as Express takes it', (value, expected) => {
    expect(loadReceiverConfig({ ...valid, TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
  });

  it.each(['proxy.example.com', '10.0.0.0/33', '11', '10.0.0.1/8/1'])(
    'names TRUST_PROXY=%s as wrong',
    (value) => {
      const error = errorOf({ ...valid, TRUST_PROXY: value });
      expect(error.variables).toEqual(['TRUST_PROXY']);
      expect(error.message).toContain('expected true, false, a number of proxy hops');
    },
  );

  it("reads the worker's UDF keys, for the dashboard's field names", () => {
    const sut = loadReceiverConfig({ ...valid, SO_UDF_VERTICAL: 'SuperOffice:83' });
    expect(sut.udfs).toEqual({ vertical: 'SuperOffice:83' });
  });

  it('returns a frozen object', () => {
    const sut = loadReceiverConfig(valid);
    expect(Object.isFrozen(sut)).toBe(true);
    expect(Object.isFrozen(sut.webhook.secrets)).toBe(true);
  });

  it('splits comma-separated secrets for rotation, trimming blanks', () => {
    const sut = loadReceiverConfig({ ...valid, WEBHOOK_SECRET: ' new-secret , old-secret ,, ' });
    expect(sut.webhook.secrets).toEqual(['new-secret', 'old-secret']);
  });

  it('accepts a hash-tag queue prefix for Redis Cluster', () => {
    expect(loadReceiverConfig({ ...valid, QUEUE_PREFIX: '{so}' }).queue.prefix).toBe('{so}');
  });

  it('treats blank values as unset', () => {
    expect(loadReceiverConfig({ ...valid, PORT: '', LOG_LEVEL: ' ' }).http.port).toBe(3000);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('parses ALLOW_UNSIGNED=%s explicitly as %s', (raw, expected) => {
    const sut = loadReceiverConfig({
      SO_CONTEXT_IDENTIFIER: 'Cust1',
      ALLOW_UNSIGNED: raw,
      WEBHOOK_TOKEN: 'tok-123456',
    });
    expect(sut.webhook.allowUnsigned).toBe(expected);
  });

  it('accepts the legacy token alone', () => {
    const sut = loadReceiverConfig({
      SO_CONTEXT_IDENTIFIER: 'Cust1',
      WEBHOOK_TOKEN: 'legacy-token',
    });
    expect(sut.webhook).toEqual({ secrets: [], token: 'legacy-token', allowUnsigned: false });
  });

  it('starts unsigned only with ALLOW_UNSIGNED=true', () => {
    expect(
      loadReceiverConfig({ SO_CONTEXT_IDENTIFIER: 'Cust1', ALLOW_UNSIGNED: 'true' }).webhook
        .allowUnsigned,
    ).toBe(true);
  });

  describe('one line naming each wrong variable', () => {
    it.each([
      [
        'SO_CONTEXT_IDENTIFIER',
        { WEBHOOK_SECRET: 's3cret-value' },
        /^invalid configuration: SO_CONTEXT_IDENTIFIER is required/,
      ],
      [
        'SO_CONTEXT_IDENTIFIER',
        { ...valid, SO_CONTEXT_IDENTIFIER: 'Cust 1' },
        /SO_CONTEXT_IDENTIFIER expected a tenant id such as Cust12345 \(got "Cust 1"\)/,
      ],
      [
        'PORT',
        { ...valid, PORT: 'abc' },
        /PORT expected a whole number from 0 to 65535 \(got "abc"\)/,
      ],
      [
        'PORT',
        { ...valid, PORT: '70000' },
        /PORT expected a whole number from 0 to 65535 \(got "70000"\)/,
      ],
      [
        'REDIS_URL',
        { ...valid, REDIS_URL: 'http://localhost' },
        /REDIS_URL expected a redis:\/\/ or rediss:\/\/ URL$/,
      ],
      [
        'QUEUE_PREFIX',
        { ...valid, QUEUE_PREFIX: 'so events' },
        /QUEUE_PREFIX expected letters, digits/,
      ],
      [
        'LOG_LEVEL',
        { ...valid, LOG_LEVEL: 'loud' },
        /LOG_LEVEL expected one of error, warn, info, http, verbose, debug, silly \(got "loud"\)/,
      ],
      ['LOG_FORMAT', { ...valid, LOG_FORMAT: 'xml' }, /LOG_FORMAT expected one of json, pretty/],
      [
        'ALLOW_UNSIGNED',
        { ...valid, ALLOW_UNSIGNED: 'maybe' },
        /ALLOW_UNSIGNED expected true or false \(got "maybe"\)/,
      ],
      [
        'DEDUP_WINDOW_SECONDS',
        { ...valid, DEDUP_WINDOW_SECONDS: '5' },
        /DEDUP_WINDOW_SECONDS expected a whole number from 60 to 2592000/,
      ],
      [
        'EVENTS_KEEP_COMPLETED_SECONDS',
        { ...valid, EVENTS_KEEP_COMPLETED_SECONDS: '1h' },
        /EVENTS_KEEP_COMPLETED_SECONDS expected a whole number from 0 to 2592000/,
      ],
      [
        'EVENTS_KEEP_COMPLETED_COUNT',
        { ...valid, EVENTS_KEEP_COMPLETED_COUNT: '-1' },
        /EVENTS_KEEP_COMPLETED_COUNT expected a whole number from 0 to 1000000/,
      ],
      [
        'SHUTDOWN_TIMEOUT_MS',
        { ...valid, SHUTDOWN_TIMEOUT_MS: '-1' },
        /SHUTDOWN_TIMEOUT_MS expected a whole number/,
      ],
      [
        'WEBHOOK_SECRET',
        { SO_CONTEXT_IDENTIFIER: 'Cust1' },
        /WEBHOOK_SECRET is required: set the webhook secret .*ALLOW_UNSIGNED=true/,
      ],
    ])('%s', (variable, env, expected) => {
      const error = errorOf(env);
      expect(error.variables).toEqual([variable]);
      expect(error.message).toMatch(expected);
      expect(error.message).not.toContain('\n');
    });

    it('names every wrong variable in the same line', () => {
      const error = errorOf({ ...valid, PORT: 'x', LOG_LEVEL: 'loud' });
      expect([...error.variables].sort()).toEqual(['LOG_LEVEL', 'PORT']);
      expect(error.message.split('\n')).toHaveLength(1);
    });

    it('never echoes a secret value', () => {
      const error = errorOf({ ...valid, REDIS_URL: 'redis//:hunter2-password@host' });
      expect(error.message).toContain('REDIS_URL');
      expect(error.message).not.toContain('hunter2');
    });
  });
});

describe('loadWorkerConfig', () => {
  const worker = {
    SO_CONTEXT_IDENTIFIER: 'Cust12345',
    SO_CLIENT_ID: 'app-id',
    SO_CLIENT_SECRET: 'app-secret-value',
    SO_REFRESH_TOKEN: 'refresh-token-value',
    SO_UDF_VERTICAL: 'SuperOffice:83',
  };

  function workerError(env: Record<string, string>): ConfigError {
    try {
      loadWorkerConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('applies the documented defaults', () => {
    const sut = loadWorkerConfig(worker);
    expect(sut.superoffice).toMatchObject({
      environment: 'online',
      udfWriteMode: 'json-patch',
      rateLimitPerSecond: 10,
      ownAssociateId: undefined,
    });
    expect(sut.enrichment).toEqual({ provider: 'builtin' });
    expect(sut.worker).toEqual({
      concurrency: 4,
      tenantMaxInFlight: 2,
      debounceMs: 10000,
      maxWaitMs: 120000,
      attempts: 8,
      backoffMs: 2000,
      backoffMaxMs: 300000,
      lockDurationMs: 30000,
      shutdownTimeoutMs: 30000,
      providerResultTtlMs: 86400000,
    });
    expect(sut.syncRuns).toEqual({
      retentionMs: 14 * 24 * 3_600_000,
      maxFactsPerAccount: 2000,
      maxAccountsPerTenant: 100_000,
    });
    expect(sut.udfs).toEqual({
      vertical: 'SuperOffice:83',
      summary: undefined,
      opener: undefined,
      personOpener: undefined,
    });
  });

  it('reads the per-tenant cap on jobs at once: half the concurrency by default, 0 = off', () => {
    const cap = (env: Record<string, string>) =>
      loadWorkerConfig({ ...worker, ...env }).worker.tenantMaxInFlight;
    expect(cap({ WORKER_CONCURRENCY: '1' })).toBe(1);
    expect(cap({ WORKER_CONCURRENCY: '7' })).toBe(4);
    expect(cap({ WORKER_CONCURRENCY: '7', TENANT_MAX_IN_FLIGHT: '' })).toBe(4);
    expect(cap({ WORKER_CONCURRENCY: '8', TENANT_MAX_IN_FLIGHT: '1' })).toBe(1);
    expect(cap({ TENANT_MAX_IN_FLIGHT: '0' })).toBe(0);
  });

  it('reads the sync-run limits', () => {
    expect(
      loadWorkerConfig({
        ...worker,
        SYNC_RUN_RETENTION_MS: '86400000',
        SYNC_RUN_MAX_FACTS_PER_ACCOUNT: '50',
        SYNC_RUN_MAX_ACCOUNTS: '1000',
      }).syncRuns,
    ).toEqual({ retentionMs: 86_400_000, maxFactsPerAccount: 50, maxAccountsPerTenant: 1000 });
  });

  it('reads filter overrides', () => {
    expect(loadWorkerConfig(worker).filters).toEqual({
      contactChangeColumns: undefined,
      personChangeColumns: undefined,
      enrichOnCreate: true,
    });
    expect(
      loadWorkerConfig({
        ...worker,
        FILTER_CONTACT_CHANGES: 'name, department',
        FILTER_ENRICH_ON_CREATE: 'false',
      }).filters,
    ).toEqual({
      contactChangeColumns: ['name', 'department'],
      personChangeColumns: undefined,
      enrichOnCreate: false,
    });
  });

  it('reads the provider settings it needs', () => {
    const sut = loadWorkerConfig({
      ...worker,
      ENRICHMENT_PROVIDER: 'openai',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      OPENAI_API_KEY: 'sk-1',
      SCOPE_OWNER_ASSOCIATES: '12, RJ',
      SO_OWN_ASSOCIATE_ID: '42',
    });
    expect(sut.enrichment).toEqual({
      provider: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      apiKey: 'sk-1',
      model: 'gpt-4o-mini',
      timeoutMs: 30000,
    });
    expect(sut.scopeOwnerAssociates).toEqual(['12', 'RJ']);
    expect(sut.superoffice.ownAssociateId).toBe(42);
  });

  it.each([
    [
      'SO_CLIENT_SECRET',
      { ...worker, SO_CLIENT_SECRET: '' },
      /SO_CLIENT_SECRET is required to call SuperOffice/,
    ],
    [
      'SO_ENVIRONMENT',
      { ...worker, SO_ENVIRONMENT: 'stage' },
      /SO_ENVIRONMENT expected one of sod, qaonline, online \(got "stage"\)/,
    ],
    [
      'SO_API_BASE_URL',
      { ...worker, SO_API_BASE_URL: 'online2.superoffice.com' },
      /SO_API_BASE_URL expected the tenant Api URL/,
    ],
    [
      'SO_OWN_ASSOCIATE_ID',
      { ...worker, SO_OWN_ASSOCIATE_ID: 'me' },
      /SO_OWN_ASSOCIATE_ID expected the associate id/,
    ],
    [
      'ENRICHMENT_PROVIDER',
      { ...worker, ENRICHMENT_PROVIDER: 'gpt' },
      /ENRICHMENT_PROVIDER expected one of builtin, company-explorer, openai/,
    ],
    [
      'COMPANY_EXPLORER_URL',
      { ...worker, ENRICHMENT_PROVIDER: 'company-explorer', COMPANY_EXPLORER_API_KEY: 'k' },
      /COMPANY_EXPLORER_URL is required when ENRICHMENT_PROVIDER=company-explorer/,
    ],
    [
      'OPENAI_API_KEY',
      { ...worker, ENRICHMENT_PROVIDER: 'openai', OPENAI_BASE_URL: 'https://api.openai.com/v1' },
      /OPENAI_API_KEY is required when ENRICHMENT_PROVIDER=openai/,
    ],
    [
      'SO_UDF_VERTICAL',
      { ...worker, SO_UDF_VERTICAL: '' },
      /SO_UDF_VERTICAL or another SO_UDF_\* key is required/,
    ],
    [
      'WORKER_CONCURRENCY',
      { ...worker, WORKER_CONCURRENCY: '0' },
      /WORKER_CONCURRENCY expected a whole number from 1 to 100/,
    ],
    [
      'TENANT_MAX_IN_FLIGHT',
      { ...worker, TENANT_MAX_IN_FLIGHT: '-1' },
      /TENANT_MAX_IN_FLIGHT expected a whole number from 0 to 100/,
    ],
    [
      'ENRICH_MAX_WAIT_MS',
      { ...worker, ENRICH_DEBOUNCE_MS: '60000', ENRICH_MAX_WAIT_MS: '1000' },
      /ENRICH_MAX_WAIT_MS must not be shorter than ENRICH_DEBOUNCE_MS/,
    ],
    [
      'ENRICH_BACKOFF_MAX_MS',
      { ...worker, ENRICH_BACKOFF_MS: '5000', ENRICH_BACKOFF_MAX_MS: '1000' },
      /ENRICH_BACKOFF_MAX_MS must not be shorter than ENRICH_BACKOFF_MS/,
    ],
    [
      'SYNC_RUN_RETENTION_MS',
      { ...worker, SYNC_RUN_RETENTION_MS: '60000' },
      /SYNC_RUN_RETENTION_MS expected a whole number from 3600000 to 31536000000/,
    ],
    [
      'SYNC_RUN_MAX_FACTS_PER_ACCOUNT',
      { ...worker, SYNC_RUN_MAX_FACTS_PER_ACCOUNT: 'lots' },
      /SYNC_RUN_MAX_FACTS_PER_ACCOUNT expected a whole number from 10 to 1000000/,
    ],
    [
      'SYNC_RUN_MAX_ACCOUNTS',
      { ...worker, SYNC_RUN_MAX_ACCOUNTS: '0' },
      /SYNC_RUN_MAX_ACCOUNTS expected a whole number from 10 to 100000000/,
    ],
  ])('names %s in one line', (variable, env, expected) => {
    const error = workerError(env);
    expect(error.variables).toEqual([variable]);
    expect(error.message).toMatch(expected);
    expect(error.message).not.toContain('app-secret-value');
  });
});
