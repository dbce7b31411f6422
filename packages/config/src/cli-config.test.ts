import {
  ConfigError,
  inspectCliConfig,
  loadCliConfig,
  loadWorkerConfig,
  requireSection,
} from './index';

const tenant = { SO_CONTEXT_IDENTIFIER: 'Cust12345' };
const superoffice = {
  SO_CLIENT_ID: 'app-id',
  SO_CLIENT_SECRET: 'app-secret-value',
  SO_REFRESH_TOKEN: 'refresh-token-value',
  SO_API_BASE_URL: 'http://127.0.0.1:1/online1/Cust12345/api',
  SO_TOKEN_URL: 'http://127.0.0.1:1/login/common/oauth/tokens',
};
const udfs = { SO_UDF_VERTICAL: 'SuperOffice:83', SO_UDF_SUMMARY: 'SuperOffice:84' };
const full = { ...tenant, ...superoffice, ...udfs };

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadCliConfig', () => {
  it('needs only the tenant: Redis and queue take the defaults, the other sections wait', () => {
    const sut = loadCliConfig(tenant);
    expect(sut.redis.url).toBe('redis://127.0.0.1:6379');
    expect(sut.queue.prefix).toBe('so');
    expect(sut.queue.partitions).toBe(1);
    expect(loadCliConfig({ ...tenant, QUEUE_PARTITIONS: '4' }).queue.partitions).toBe(4);
    expect(sut.tenant?.contextIdentifier).toBe('Cust12345');
    expect(sut.enrich).toEqual({ attempts: 8, maxWaitMs: 120_000 });
    expect(sut.superoffice.ok).toBe(false);
    expect(sut.udfs.ok).toBe(false);
    expect(sut.enrichment).toEqual({ ok: true, value: { provider: 'builtin' } });
    expect(sut.webhook).toEqual({ ok: true, value: { publicUrl: undefined, secrets: [] } });
  });

  it('builds the SuperOffice and UDF sections exactly as the worker does', () => {
    const sut = loadCliConfig(full);
    const worker = loadWorkerConfig(full);
    expect(requireSection(sut.superoffice)).toEqual(worker.superoffice);
    expect(requireSection(sut.udfs)).toEqual(worker.udfs);
    expect(requireSection(sut.enrichment)).toEqual(worker.enrichment);
  });

  it('reads the webhook URL and the receiver secrets (comma-separated for rotation)', () => {
    const sut = loadCliConfig({
      ...tenant,
      WEBHOOK_PUBLIC_URL: 'https://so.example.com/webhooks/superoffice',
      WEBHOOK_SECRET: 'new-secret, old-secret',
    });
    expect(requireSection(sut.webhook)).toEqual({
      publicUrl: 'https://so.example.com/webhooks/superoffice',
      secrets: ['new-secret', 'old-secret'],
    });
  });

  it('throws for an invalid always-required variable, naming only those', () => {
    const error = thrown(() => loadCliConfig({ REDIS_URL: 'http://x', QUEUE_PREFIX: 'a b' }));
    expect([...error.variables].sort()).toEqual([
      'QUEUE_PREFIX',
      'REDIS_URL',
      'SO_CONTEXT_IDENTIFIER',
    ]);
    expect(error.message).toMatch(/^invalid configuration: /);
    expect(error.message).not.toContain('\n');
  });

  it('reports a section lazily: requireSection names each bad variable of it', () => {
    const sut = loadCliConfig({ ...tenant, SO_CLIENT_ID: 'app-id', SO_ENVIRONMENT: 'mars' });
    const error = thrown(() => requireSection(sut.superoffice));
    expect(error.variables).toEqual(['SO_ENVIRONMENT', 'SO_CLIENT_SECRET', 'SO_REFRESH_TOKEN']);
    expect(error.message).toContain('SO_ENVIRONMENT expected one of sod, qaonline, online');
    expect(error.message).toContain('(got "mars")');
  });

  it('applies the provider rules of the worker', () => {
    const sut = loadCliConfig({ ...full, ENRICHMENT_PROVIDER: 'openai' });
    expect(sut.enrichment.ok).toBe(false);
    expect(thrown(() => requireSection(sut.enrichment)).variables).toEqual([
      'OPENAI_BASE_URL',
      'OPENAI_API_KEY',
    ]);
  });

  it('requires at least one UDF key, as the worker does', () => {
    const sut = loadCliConfig({ ...tenant, ...superoffice });
    expect(thrown(() => requireSection(sut.udfs)).variables).toEqual(['SO_UDF_VERTICAL']);
  });

  it('never echoes secret values', () => {
    const error = thrown(() => loadCliConfig({ ...full, REDIS_URL: 'http://:hunter2@h:1' }));
    expect(error.message).toContain('REDIS_URL expected a redis:// or rediss:// URL');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('inspectCliConfig', () => {
  it('reports every bad variable at once, even when the tenant is missing', () => {
    const sut = inspectCliConfig({
      REDIS_URL: 'http://localhost',
      SO_UDF_VERTICAL: 'has space',
      ENRICHMENT_PROVIDER: 'company-explorer',
      WORKER_CONCURRENCY: 'many',
      WEBHOOK_PUBLIC_URL: 'ftp://x',
    });
    expect(sut.config).toBeUndefined();
    expect(sut.problems.map((p) => p.variable)).toEqual([
      'REDIS_URL',
      'SO_CONTEXT_IDENTIFIER',
      'SO_CLIENT_ID',
      'SO_CLIENT_SECRET',
      'SO_REFRESH_TOKEN',
      'SO_UDF_VERTICAL',
      'COMPANY_EXPLORER_URL',
      'COMPANY_EXPLORER_API_KEY',
      'WEBHOOK_PUBLIC_URL',
      'WORKER_CONCURRENCY',
    ]);
    expect(sut.problems.find((p) => p.variable === 'REDIS_URL')?.message).not.toContain(
      'localhost',
    );
  });

  it('keeps worker-only problems apart: they do not stop the CLI', () => {
    const sut = inspectCliConfig({ ...full, WORKER_CONCURRENCY: '0' });
    expect(sut.config?.superoffice.ok).toBe(true);
    expect(sut.config?.workerProblems).toEqual([
      {
        variable: 'WORKER_CONCURRENCY',
        message: 'expected a whole number from 1 to 100 (got "0")',
      },
    ]);
  });

  it('finds nothing wrong with a complete worker environment', () => {
    expect(inspectCliConfig(full).problems).toEqual([]);
  });

  it('asks for no environment-tenant variable where the worker runs without one (TENANTS_FILE or the store)', () => {
    const app = { SO_CLIENT_ID: 'app-id', SO_CLIENT_SECRET: 'app-secret-value' };
    for (const tenants of [
      { TENANTS_FILE: '/etc/so/tenants.yaml' },
      { TENANT_SECRETS_KEY: 'a'.repeat(64) },
    ]) {
      const env = { ...app, ...tenants };
      expect(() => loadWorkerConfig(env)).not.toThrow();
      expect(inspectCliConfig(env).problems).toEqual([]);
    }
    // The worker's rule without a tenant still applies: a refresh token with no tenant stops it.
    const stray = inspectCliConfig({
      ...app,
      TENANTS_FILE: '/etc/so/tenants.yaml',
      SO_REFRESH_TOKEN: 'refresh-token-value',
    });
    expect(stray.config?.workerProblems.map((p) => p.variable)).toEqual(['SO_CONTEXT_IDENTIFIER']);
    expect(stray.problems.map((p) => p.message).join()).not.toContain('refresh-token-value');
    // With SO_CONTEXT_IDENTIFIER, its tenant's variables are asked for as before.
    expect(
      inspectCliConfig({ ...app, ...tenant, TENANTS_FILE: '/etc/so/tenants.yaml' }).problems.map(
        (p) => p.variable,
      ),
    ).toEqual(['SO_REFRESH_TOKEN', 'SO_UDF_VERTICAL']);
  });

  it('returns a frozen config', () => {
    const sut = inspectCliConfig(full).config!;
    expect(Object.isFrozen(sut)).toBe(true);
    expect(Object.isFrozen(sut.superoffice)).toBe(true);
  });
});
