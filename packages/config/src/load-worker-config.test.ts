import { ConfigError, loadWorkerConfig } from './index';

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
      eventsConcurrency: 64,
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

  it('gives the so-events stage a concurrency of its own, apart from so-enrich', () => {
    const sut = loadWorkerConfig({ ...worker, WORKER_CONCURRENCY: '2', EVENTS_CONCURRENCY: '16' });
    expect(sut.worker).toMatchObject({ concurrency: 2, eventsConcurrency: 16 });
    expect(loadWorkerConfig({ ...worker, WORKER_CONCURRENCY: '2' }).worker.eventsConcurrency).toBe(
      64,
    );
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
      'EVENTS_CONCURRENCY',
      { ...worker, EVENTS_CONCURRENCY: '1001' },
      /EVENTS_CONCURRENCY expected a whole number from 1 to 1000/,
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
