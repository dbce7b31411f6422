import { loadCliConfig, type ClusterRedis } from '@so-connector/config';
import { freePort } from '@so-connector/testing';
import { closeRedis, createConnection, inspectRedisDurability, SettlingCluster } from '../src';

// A Cluster the durability check waits for that never gets ready: its seed is a port nobody
// listens on. Before the bound, the check (and its 'ready' listener) stayed pending for ever.
describe('inspectRedisDurability on a Redis Cluster that never gets ready', () => {
  async function unreachable(): Promise<ClusterRedis> {
    return loadCliConfig({
      SO_CONTEXT_IDENTIFIER: 'Cust1',
      REDIS_CLUSTER_NODES: `127.0.0.1:${await freePort()}`,
      QUEUE_PREFIX: '{so}',
    }).redis as ClusterRedis;
  }

  it('gives up after its bound with an error naming the problem', async () => {
    const redis = createConnection(await unreachable(), { role: 'worker' });
    redis.on('error', () => undefined);
    try {
      const started = Date.now();
      await expect(inspectRedisDurability(redis, { readyTimeoutMs: 300 })).rejects.toThrow(
        /^Redis Cluster durability check: the cluster was not ready within 300 ms \(status \w+\); maxmemory-policy and AOF not checked$/,
      );
      expect(Date.now() - started).toBeLessThan(5000);
      // The check's listener is gone (the connection's own, while its reconnect is pending, stays).
      const left = redis.listeners('ready').filter((l) => !SettlingCluster.ownsListener(l));
      expect(left).toHaveLength(0);
    } finally {
      await closeRedis(redis);
    }
  });
});
