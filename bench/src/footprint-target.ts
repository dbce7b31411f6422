// Where benchmark 9 measures: one private redis-server, or a private Redis Cluster of 3 masters
// (no replicas, AOF off) with the hash-tagged prefix a Cluster needs. Memory and keys are read on
// every master and added up.
import { Cluster, Redis } from 'ioredis';
import type { RedisConnection } from '@so-connector/queue';
import { startRedisCluster } from '@so-connector/testing';
import { startRedis } from './bench-common';
import { addFamilies, usedMemory, weigh, type Families } from './footprint-weigh';

export interface FootprintTarget {
  readonly name: 'single node' | 'cluster';
  readonly prefix: string;
  /** The Redis part of a worker's environment (REDIS_URL or REDIS_CLUSTER_NODES, QUEUE_PREFIX). */
  readonly env: Readonly<Record<string, string>>;
  /** A new connection with BullMQ's worker settings (`maxRetriesPerRequest: null`). */
  connect(): RedisConnection;
  flush(): Promise<void>;
  /** used_memory summed over the masters. */
  usedMemory(): Promise<number>;
  /** Every key of every master weighed by family (footprint-weigh.ts). */
  weigh(): Promise<Families>;
  dispose(): Promise<void>;
}

/** One redis-server, prefix `so`. */
export async function singleNodeTarget(): Promise<FootprintTarget> {
  const redis = await startRedis();
  const admin = new Redis(redis.url, { maxRetriesPerRequest: null });
  const prefix = 'so';
  return {
    name: 'single node',
    prefix,
    env: { REDIS_URL: redis.url, QUEUE_PREFIX: prefix },
    connect: () => new Redis(redis.url, { maxRetriesPerRequest: null }),
    flush: async () => {
      await admin.flushall();
    },
    usedMemory: () => usedMemory(admin),
    weigh: () => weigh(admin, prefix),
    dispose: async () => {
      admin.disconnect();
      await redis.dispose();
    },
  };
}

/** A Redis Cluster of 3 masters, prefix `{so}` (QUEUE_PARTITIONS=1: the queue on one master). */
export async function clusterTarget(): Promise<FootprintTarget> {
  const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0, appendOnly: false });
  const admins = cluster.nodes.map(
    (n) => new Redis({ host: '127.0.0.1', port: n.port, maxRetriesPerRequest: null }),
  );
  const prefix = '{so}';
  const sum = async (read: (admin: Redis) => Promise<number>) =>
    (await Promise.all(admins.map(read))).reduce((a, b) => a + b, 0);
  return {
    name: 'cluster',
    prefix,
    env: { REDIS_CLUSTER_NODES: cluster.seeds, QUEUE_PREFIX: prefix },
    connect: () =>
      new Cluster(cluster.clientNodes, { redisOptions: { maxRetriesPerRequest: null } }),
    flush: async () => {
      await Promise.all(admins.map((a) => a.flushall()));
    },
    usedMemory: () => sum(usedMemory),
    weigh: async () => addFamilies(await Promise.all(admins.map((a) => weigh(a, prefix)))),
    dispose: async () => {
      admins.forEach((a) => a.disconnect());
      await cluster.dispose();
    },
  };
}
