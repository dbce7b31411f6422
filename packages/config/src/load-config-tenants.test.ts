import { ConfigError, loadReceiverConfig, loadWorkerConfig } from './index';

/** A valid TENANT_SECRETS_KEY (32 bytes in hex). */
const hexKey = 'ab'.repeat(32);
/** The app identity every refresh-token tenant needs; no tenant of its own. */
const app = { SO_CLIENT_ID: 'app-id', SO_CLIENT_SECRET: 'app-secret-value' };
const tenantOfWorker = { SO_CONTEXT_IDENTIFIER: 'Cust1', SO_REFRESH_TOKEN: 'refresh-token-value' };

function errorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const sources = [
  ['TENANTS_FILE', '/etc/so/tenants.yaml'],
  ['TENANT_SECRETS_KEY', hexKey],
] as const;

describe('the receiver without an environment tenant', () => {
  it.each(sources)('loads with no tenant when %s is set', (variable, value) => {
    const sut = loadReceiverConfig({ [variable]: value });
    expect(sut.tenant).toBeUndefined();
    expect(sut.webhook).toEqual({ secrets: [], token: undefined, allowUnsigned: false });
  });

  it('names SO_CONTEXT_IDENTIFIER alone, as before, when no source can give tenants', () => {
    const error = errorOf(() => loadReceiverConfig({}));
    expect(error.variables).toEqual(['SO_CONTEXT_IDENTIFIER']);
    expect(error.message).toBe(
      'invalid configuration: SO_CONTEXT_IDENTIFIER is required: the SuperOffice tenant id, e.g. Cust12345',
    );
    expect(error.message).not.toContain('\n');
  });

  it('still names WEBHOOK_SECRET when SO_CONTEXT_IDENTIFIER is set without it', () => {
    const error = errorOf(() =>
      loadReceiverConfig({ TENANTS_FILE: '/etc/so/tenants.yaml', SO_CONTEXT_IDENTIFIER: 'Cust1' }),
    );
    expect(error.variables).toEqual(['WEBHOOK_SECRET']);
    expect(error.message).toMatch(/^invalid configuration: WEBHOOK_SECRET is required/);
  });

  it.each(sources)(
    'names SO_CONTEXT_IDENTIFIER when a webhook secret is set without it (%s set): the tenant would be dropped silently',
    (variable, value) => {
      const error = errorOf(() =>
        loadReceiverConfig({ [variable]: value, WEBHOOK_SECRET: 'secret-value' }),
      );
      expect(error.variables).toEqual(['SO_CONTEXT_IDENTIFIER']);
      expect(error.message).toContain('is required when WEBHOOK_SECRET or WEBHOOK_TOKEN is set');
      expect(error.message).not.toContain('secret-value');
    },
  );

  it('keeps the environment tenant beside the file when both are given', () => {
    const sut = loadReceiverConfig({
      TENANTS_FILE: '/etc/so/tenants.yaml',
      SO_CONTEXT_IDENTIFIER: 'Cust1',
      WEBHOOK_SECRET: 'secret-value',
    });
    expect(sut.tenant).toEqual({ contextIdentifier: 'Cust1' });
  });

  it('still rejects a malformed SO_CONTEXT_IDENTIFIER (and the secret its tenant lacks)', () => {
    const error = errorOf(() =>
      loadReceiverConfig({ TENANTS_FILE: '/x.yaml', SO_CONTEXT_IDENTIFIER: 'Cust 1' }),
    );
    expect(error.variables).toEqual(['SO_CONTEXT_IDENTIFIER', 'WEBHOOK_SECRET']);
    expect(error.message).toContain('expected a tenant id such as Cust12345 (got "Cust 1")');
  });
});

describe('the worker without an environment tenant', () => {
  it.each(sources)(
    'loads with no tenant, refresh token or UDF key when %s is set',
    (variable, value) => {
      const sut = loadWorkerConfig({ ...app, [variable]: value });
      expect(sut.tenant).toBeUndefined();
      expect(sut.superoffice.refreshToken).toBeUndefined();
      expect(sut.superoffice.clientId).toBe('app-id');
    },
  );

  it('still requires the app identity, which every refresh-token tenant needs', () => {
    const error = errorOf(() => loadWorkerConfig({ TENANTS_FILE: '/etc/so/tenants.yaml' }));
    expect(error.variables).toEqual(['SO_CLIENT_ID', 'SO_CLIENT_SECRET']);
  });

  it('names SO_CONTEXT_IDENTIFIER first, as before, when no source can give tenants', () => {
    const error = errorOf(() => loadWorkerConfig({ ...app, SO_UDF_VERTICAL: 'SuperOffice:1' }));
    expect(error.variables[0]).toBe('SO_CONTEXT_IDENTIFIER');
    expect(error.message).toMatch(
      /^invalid configuration: SO_CONTEXT_IDENTIFIER is required: the SuperOffice tenant id/,
    );
  });

  it("keeps today's errors when SO_CONTEXT_IDENTIFIER is set without its variables", () => {
    const error = errorOf(() =>
      loadWorkerConfig({ ...app, TENANTS_FILE: '/x.yaml', SO_CONTEXT_IDENTIFIER: 'Cust1' }),
    );
    expect(error.variables).toEqual(['SO_REFRESH_TOKEN', 'SO_UDF_VERTICAL']);
  });

  it('names SO_CONTEXT_IDENTIFIER when a refresh token is set without it: the tenant would be dropped silently', () => {
    const error = errorOf(() =>
      loadWorkerConfig({
        ...app,
        TENANT_SECRETS_KEY: hexKey,
        SO_REFRESH_TOKEN: 'refresh-token-value',
      }),
    );
    expect(error.variables).toEqual(['SO_CONTEXT_IDENTIFIER']);
    expect(error.message).toContain('is required when SO_REFRESH_TOKEN is set');
    expect(error.message).not.toContain('refresh-token-value');
  });

  it('serves the environment tenant beside the file when it is complete', () => {
    const sut = loadWorkerConfig({
      ...app,
      ...tenantOfWorker,
      TENANTS_FILE: '/x.yaml',
      SO_UDF_SUMMARY: 'SuperOffice:2',
    });
    expect(sut.tenant).toEqual({ contextIdentifier: 'Cust1' });
    expect(sut.superoffice.refreshToken).toBe('refresh-token-value');
  });
});
