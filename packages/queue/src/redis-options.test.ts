import type { ClusterRedis, SentinelRedis, SingleRedis } from '@so-connector/config';
import { clusterOptions, sentinelOptions, singleNodeOptions } from './redis-options';

const common = {
  url: 'redis://127.0.0.1:6379',
  username: undefined,
  password: undefined,
  tls: undefined,
  replicaAcks: { replicas: 0, timeoutMs: 1000 },
};
const sentinel: SentinelRedis = {
  ...common,
  mode: 'sentinel',
  sentinels: [{ host: '10.0.0.1', port: 26379 }],
  masterName: 'mymaster',
  sentinelPassword: undefined,
};
const cluster: ClusterRedis = {
  ...common,
  mode: 'cluster',
  nodes: [{ host: '10.0.0.1', port: 7000 }],
};

describe('singleNodeOptions', () => {
  it('keeps the URL’s own credentials unless REDIS_USERNAME/REDIS_PASSWORD are given', () => {
    const single: SingleRedis = { ...common, mode: 'single' };
    expect(singleNodeOptions(single, { role: 'producer' }, undefined)).not.toHaveProperty(
      'password',
    );
    expect(
      singleNodeOptions(
        { ...single, username: 'u', password: 'p' },
        { role: 'producer' },
        undefined,
      ),
    ).toMatchObject({ username: 'u', password: 'p' });
  });

  it('rediss:// gets the CA when REDIS_TLS_CA_FILE is set, the system CAs otherwise', () => {
    const tls: SingleRedis = {
      ...common,
      mode: 'single',
      url: 'rediss://h:6380',
      tls: { caFile: '/ca.pem' },
    };
    expect(singleNodeOptions(tls, { role: 'worker' }, 'PEM').tls).toEqual({ ca: 'PEM' });
    expect(singleNodeOptions(tls, { role: 'worker' }, undefined).tls).toEqual({});
  });
});

describe('sentinelOptions', () => {
  it('asks the Sentinels for the master, with the role’s settings', () => {
    const producer = sentinelOptions(sentinel, { role: 'producer' }, undefined);
    expect(producer).toMatchObject({
      sentinels: [{ host: '10.0.0.1', port: 26379 }],
      name: 'mymaster',
      role: 'master',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      failoverDetector: true,
    });
    expect(producer).not.toHaveProperty('enableTLSForSentinelMode');
    expect(sentinelOptions(sentinel, { role: 'worker' }, undefined)).toMatchObject({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
  });

  it('reconnects and resends on READONLY (a demoted master), not on other errors', () => {
    const reconnect = sentinelOptions(sentinel, { role: 'worker' }, undefined).reconnectOnError!;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnect(new Error('ERR wrong number of arguments'))).toBe(false);
  });

  it('REDIS_TLS: TLS to the Sentinels and the master; REDIS_SENTINEL_PASSWORD for the Sentinels', () => {
    const options = sentinelOptions(
      { ...sentinel, tls: { caFile: '/ca.pem' }, sentinelPassword: 'sp', password: 'dp' },
      { role: 'worker' },
      'PEM',
    );
    expect(options).toMatchObject({
      tls: { ca: 'PEM' },
      sentinelTLS: { ca: 'PEM' },
      enableTLSForSentinelMode: true,
      sentinelPassword: 'sp',
      password: 'dp',
    });
  });
});

describe('clusterOptions', () => {
  it('puts the role’s settings on every node (BullMQ reads redisOptions), producers fail fast', () => {
    const producer = clusterOptions(cluster, { role: 'producer' }, undefined);
    // No ready check without the offline queue: ioredis sends it to a random node, refused while
    // that node still connects, and the producer took seconds to get ready (topology.int.test.ts).
    expect(producer).toMatchObject({
      enableOfflineQueue: false,
      enableReadyCheck: false,
      maxRedirections: 16,
    });
    expect(producer.redisOptions).toMatchObject({
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    const worker = clusterOptions(cluster, { role: 'worker' }, undefined);
    // Nor for a worker: a check sent to a hung master held the connection until it woke up.
    expect(worker).toMatchObject({
      enableOfflineQueue: true,
      enableReadyCheck: false,
      maxRedirections: 600,
    });
    expect(worker.redisOptions).toMatchObject({ maxRetriesPerRequest: null });
    expect(worker).not.toHaveProperty('dnsLookup');
    // A hung master keeps its sockets open: only a periodic slot map read moves off it.
    expect(producer.slotsRefreshInterval).toBe(2000);
    expect(worker.slotsRefreshInterval).toBe(2000);
  });

  it('TLS: the CA on every node, announced host names kept', () => {
    const options = clusterOptions(
      { ...cluster, tls: { caFile: '/ca.pem' } },
      { role: 'worker' },
      'PEM',
    );
    expect(options.redisOptions?.tls).toEqual({ ca: 'PEM' });
    const lookup = jest.fn();
    options.dnsLookup!('redis-1.example.com', lookup);
    expect(lookup).toHaveBeenCalledWith(null, 'redis-1.example.com');
  });
});
