import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadCliConfig, loadReceiverConfig, loadWorkerConfig } from './index';
import { clusterHashTag } from './redis-env';

const receiver = { SO_CONTEXT_IDENTIFIER: 'Cust12345', WEBHOOK_SECRET: 'current-secret-value' };
const worker = {
  SO_CONTEXT_IDENTIFIER: 'Cust12345',
  SO_CLIENT_ID: 'app-id',
  SO_CLIENT_SECRET: 'app-secret-value',
  SO_REFRESH_TOKEN: 'refresh-token-value',
  SO_UDF_VERTICAL: 'SuperOffice:83',
};

const dir = mkdtempSync(join(tmpdir(), 'so-redis-config-'));
// A self-signed CA certificate (openssl req -x509 -newkey ec): X509Certificate must parse it.
const REAL_CA = `-----BEGIN CERTIFICATE-----
MIIBeTCCAR+gAwIBAgIUd3nIUxuex0+mtcEmgW4mVkDIW1EwCgYIKoZIzj0EAwIw
EjEQMA4GA1UEAwwHdGVzdC1jYTAeFw0yNjExMzAyMjA0MjhaFw0zNjExMjcyMjA0
MjhaMBIxEDAOBgNVBAMMB3Rlc3QtY2EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
AARzwcnlDRivSv+DpgKTFYZed5qs5oIKIsTJMMwCDYfdiK6TO3RS4apND33jJyxh
vjAf4x4jR37hoJmPJVwGabYZo1MwUTAdBgNVHQ4EFgQUNdWwhykJu7e11vEeBhZu
iTKbPG4wHwYDVR0jBBgwFoAUNdWwhykJu7e11vEeBhZuiTKbPG4wDwYDVR0TAQH/
BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEArMAnLLidNs/jXpSm/8INqFkuRPCm
/Jc42KW2mXVlJ/gCIDErZGTiKjybczXOfTj07H6d0JQe5zZ7NNayqfkxydHu
-----END CERTIFICATE-----
`;
const garbled = join(dir, 'garbled.pem');
writeFileSync(garbled, 'not a certificate');

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Redis topology', () => {
  it('is a single node from REDIS_URL by default, url kept for existing callers', () => {
    expect(loadReceiverConfig(receiver).redis).toEqual({
      mode: 'single',
      url: 'redis://127.0.0.1:6379',
      username: undefined,
      password: undefined,
      tls: undefined,
      replicaAcks: { replicas: 0, timeoutMs: 1000 },
    });
  });

  it('rediss:// is TLS, with the CA file; REDIS_USERNAME/REDIS_PASSWORD are the ACL user', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, REAL_CA);
    expect(
      loadWorkerConfig({
        ...worker,
        REDIS_URL: 'rediss://redis.example.com:6380',
        REDIS_TLS_CA_FILE: ca,
        REDIS_USERNAME: 'connector',
        REDIS_PASSWORD: 'pw-123',
      }).redis,
    ).toMatchObject({
      mode: 'single',
      url: 'rediss://redis.example.com:6380',
      username: 'connector',
      password: 'pw-123',
      tls: { caFile: ca },
    });
  });

  it('Sentinel mode from REDIS_SENTINELS and REDIS_SENTINEL_NAME', () => {
    expect(
      loadReceiverConfig({
        ...receiver,
        REDIS_SENTINELS: ' 10.0.0.1:26379, sentinel-2.local:26379,[::1]:26380 ',
        REDIS_SENTINEL_NAME: 'mymaster',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
        REDIS_TLS: 'true',
      }).redis,
    ).toMatchObject({
      mode: 'sentinel',
      masterName: 'mymaster',
      sentinelPassword: 'sentinel-pw',
      tls: { caFile: undefined },
      // An acknowledged event must survive a failover: one replica holds it before the 200.
      replicaAcks: { replicas: 1, timeoutMs: 1000 },
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-2.local', port: 26379 },
        { host: '::1', port: 26380 },
      ],
    });
  });

  it('REDIS_REPLICA_ACKS and its timeout: explicit values win; checked in one line', () => {
    expect(
      loadReceiverConfig({
        ...receiver,
        REDIS_SENTINELS: '10.0.0.1:26379',
        REDIS_SENTINEL_NAME: 'mymaster',
        REDIS_REPLICA_ACKS: '0',
        REDIS_REPLICA_ACK_TIMEOUT_MS: '250',
      }).redis.replicaAcks,
    ).toEqual({ replicas: 0, timeoutMs: 250 });
    expect(loadReceiverConfig({ ...receiver, REDIS_REPLICA_ACKS: '2' }).redis.replicaAcks).toEqual({
      replicas: 2,
      timeoutMs: 1000,
    });
    expect(
      messageOf(() => loadReceiverConfig({ ...receiver, REDIS_REPLICA_ACKS: 'one' })),
    ).toContain('REDIS_REPLICA_ACKS expected a whole number from 0 to 5 (got "one")');
    // On a Cluster opt-in: 0 by default (a master without a replica would spool every event),
    // 1 allowed (WAIT goes to the master of the queue's slot).
    const onCluster = { ...receiver, REDIS_CLUSTER_NODES: '10.0.0.1:7000', QUEUE_PREFIX: '{so}' };
    expect(loadReceiverConfig(onCluster).redis.replicaAcks).toEqual({
      replicas: 0,
      timeoutMs: 1000,
    });
    expect(
      loadReceiverConfig({ ...onCluster, REDIS_REPLICA_ACKS: '1' }).redis.replicaAcks.replicas,
    ).toBe(1);
  });

  it('cluster mode from REDIS_CLUSTER_NODES, for the CLI as well', () => {
    const env = {
      ...worker,
      REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000',
      QUEUE_PREFIX: '{so}',
    };
    const expected = {
      mode: 'cluster',
      tls: undefined,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7000 },
      ],
    };
    expect(loadWorkerConfig(env).redis).toMatchObject(expected);
    expect(loadCliConfig(env).redis).toMatchObject(expected);
  });

  it.each([
    [
      { REDIS_CLUSTER_NODES: '10.0.0.1', QUEUE_PREFIX: '{so}' },
      'REDIS_CLUSTER_NODES expected host:port pairs separated by commas, e.g. 10.0.0.1:6379,10.0.0.2:6379 (bad item "10.0.0.1")',
    ],
    [
      { REDIS_SENTINELS: 'a:1,a:99999', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS expected host:port pairs',
    ],
    [{ REDIS_SENTINELS: 'a:1,a:1', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS lists a:1 twice'],
    [{ REDIS_SENTINEL_NAME: 'mymaster' }, 'REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not'],
    [{ REDIS_SENTINELS: 'a:26379' }, 'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS'],
    [{ REDIS_SENTINEL_PASSWORD: 'x' }, 'REDIS_SENTINEL_PASSWORD is set but REDIS_SENTINELS is not'],
    [
      {
        REDIS_SENTINELS: 'a:1',
        REDIS_SENTINEL_NAME: 'm',
        REDIS_CLUSTER_NODES: 'b:1',
        QUEUE_PREFIX: '{so}',
      },
      'REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set',
    ],
    [
      { REDIS_CLUSTER_NODES: 'b:1' },
      'QUEUE_PREFIX must contain a hash tag such as {so} with REDIS_CLUSTER_NODES',
    ],
    [
      // Redis takes the first {…}: an empty one means no tag, whatever follows.
      { REDIS_CLUSTER_NODES: 'b:1', QUEUE_PREFIX: '{}{so}' },
      'QUEUE_PREFIX must contain a hash tag such as {so} with REDIS_CLUSTER_NODES',
    ],
    [{ REDIS_TLS_CA_FILE: join(dir, 'missing.pem') }, 'REDIS_TLS_CA_FILE cannot be read (ENOENT)'],
    [
      { REDIS_URL: 'rediss://h:6380', REDIS_TLS_CA_FILE: garbled },
      'REDIS_TLS_CA_FILE holds no PEM certificate',
    ],
    [{ REDIS_USERNAME: 'connector' }, 'REDIS_PASSWORD is required with REDIS_USERNAME'],
    [
      { REDIS_URL: 'redis://:pw@h:6379', REDIS_PASSWORD: 'other' },
      'REDIS_PASSWORD and a password in REDIS_URL are both set',
    ],
    [{ REDIS_TLS: 'true' }, 'REDIS_TLS applies to REDIS_SENTINELS and REDIS_CLUSTER_NODES'],
  ])('%j → one line naming the variable', (extra, expected) => {
    const message = messageOf(() => loadReceiverConfig({ ...receiver, ...extra }));
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('a CA file without TLS is refused: the connection would be plain', () => {
    const ca = join(dir, 'ca-plain.pem');
    writeFileSync(ca, REAL_CA);
    expect(messageOf(() => loadReceiverConfig({ ...receiver, REDIS_TLS_CA_FILE: ca }))).toContain(
      'REDIS_TLS_CA_FILE is set but REDIS_URL is not rediss://',
    );
    expect(
      messageOf(() =>
        loadReceiverConfig({
          ...receiver,
          REDIS_SENTINELS: 'a:1',
          REDIS_SENTINEL_NAME: 'm',
          REDIS_TLS_CA_FILE: ca,
        }),
      ),
    ).toContain('REDIS_TLS_CA_FILE is set but REDIS_TLS is not true');
  });

  it('never shows the Redis passwords', () => {
    const message = messageOf(() =>
      loadReceiverConfig({
        ...receiver,
        REDIS_PASSWORD: 'secret-pw-1',
        REDIS_SENTINEL_PASSWORD: 'secret-pw-2',
        REDIS_URL: 'redis://:secret-pw-3@h:1',
      }),
    );
    expect(message).toMatch(/REDIS_PASSWORD|REDIS_SENTINEL_PASSWORD/);
    expect(message).not.toMatch(/secret-pw/);
  });
});

describe('clusterHashTag', () => {
  it.each([
    ['{so}', 'so'],
    ['app:{so}:', 'so'],
    ['{a{b}', 'a{b'],
    ['{}{so}', undefined],
    ['so}{', undefined],
    ['so', undefined],
  ])('%s hashes by %s', (prefix, tag) => {
    expect(clusterHashTag(prefix)).toBe(tag);
  });
});
