import { ConfigError, loadReceiverConfig } from './index';

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
        partitions: 1,
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

  it('reads QUEUE_PARTITIONS', () => {
    expect(loadReceiverConfig({ ...valid, QUEUE_PARTITIONS: '8' }).queue.partitions).toBe(8);
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
        'QUEUE_PARTITIONS',
        { ...valid, QUEUE_PARTITIONS: '0' },
        /QUEUE_PARTITIONS expected a whole number from 1 to 16 \(got "0"\)/,
      ],
      [
        'QUEUE_PARTITIONS',
        { ...valid, QUEUE_PARTITIONS: '17' },
        /QUEUE_PARTITIONS expected a whole number from 1 to 16 \(got "17"\)/,
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
