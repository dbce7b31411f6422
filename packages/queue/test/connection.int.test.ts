import { createRedisConnection, inspectRedisDurability } from '../src';
import { startRedisServer, type RedisServer } from '@so-connector/testing';

let server: RedisServer;
afterEach(async () => {
  await server.dispose();
});

describe('inspectRedisDurability', () => {
  it('has no warning for noeviction with AOF on', async () => {
    server = await startRedisServer({ appendOnly: 'everysec' });
    const redis = createRedisConnection(server.url, { role: 'worker' });
    try {
      expect(await inspectRedisDurability(redis)).toEqual({
        evictionPolicy: 'noeviction',
        appendOnly: true,
        warnings: [],
      });
    } finally {
      redis.disconnect();
    }
  });

  it('warns when keys may be evicted and when AOF is off', async () => {
    server = await startRedisServer({ appendOnly: false });
    const redis = createRedisConnection(server.url, { role: 'worker' });
    try {
      await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const report = await inspectRedisDurability(redis);
      expect(report.evictionPolicy).toBe('allkeys-lru');
      expect(report.warnings).toEqual([
        'Redis maxmemory-policy is "allkeys-lru", not "noeviction": queued events and EventId dedup markers can be evicted under memory pressure (a volatile-* policy evicts exactly the keys with a TTL, such as the markers)',
        'Redis appendonly is off: events accepted since the last snapshot are lost if Redis restarts',
      ]);
    } finally {
      redis.disconnect();
    }
  });
});

describe('createRedisConnection', () => {
  it('producer: a command fails at once while Redis is down instead of waiting', async () => {
    server = await startRedisServer();
    const redis = createRedisConnection(server.url, { role: 'producer' });
    redis.on('error', () => undefined);
    try {
      await new Promise((resolve) => redis.once('ready', resolve));
      expect(await redis.ping()).toBe('PONG');
      await server.kill();
      await expect(redis.set('k', 'v')).rejects.toThrow();
    } finally {
      redis.disconnect();
    }
  });

  it('worker: a command waits for Redis to come back', async () => {
    server = await startRedisServer();
    const redis = createRedisConnection(server.url, { role: 'worker' });
    redis.on('error', () => undefined);
    try {
      await redis.ping();
      await server.kill();
      const pending = redis.set('k', 'v');
      await server.start();
      await expect(pending).resolves.toBe('OK');
    } finally {
      redis.disconnect();
    }
  });
});
