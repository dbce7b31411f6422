import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { RedisConnection } from '@so-connector/queue';
import {
  startRedisCluster,
  startRedisSentinel,
  type TestRedisCluster,
} from '@so-connector/testing';

/** Where the e2e processes find Redis (issue 13: the suites run on all three). */
export type Topology = 'cluster' | 'sentinel' | 'single';

/** A Cluster or Sentinel setup on loopback ports, started from the binaries (no Docker). */
export interface TopologyRedis {
  readonly topology: Exclude<Topology, 'single'>;
  /** REDIS_URL for a process (on a Cluster or Sentinel setup, a data node: the variables below win). */
  readonly url: string;
  /** The Redis variables every process gets besides REDIS_URL. */
  readonly env: Readonly<Record<string, string>>;
  /** A QUEUE_PREFIX of its own for one system: hash-tagged on a Cluster, so its keys share a slot. */
  freshPrefix(): string;
  /** The harness's own connection, as the processes connect. */
  connect(): RedisConnection;
  readonly cluster: TestRedisCluster | undefined;
  dispose(): Promise<void>;
}

/** A 6-node Cluster (3 masters, 3 replicas), or a Sentinel setup (master, replica, three Sentinels). */
export async function startTopologyRedis(
  topology: Exclude<Topology, 'single'>,
  options: { readonly nodeTimeoutMs?: number } = {},
): Promise<TopologyRedis> {
  const random = () => randomBytes(4).toString('hex');
  if (topology === 'cluster') {
    const cluster = await startRedisCluster({
      masters: 3,
      replicasPerMaster: 1,
      ...(options.nodeTimeoutMs === undefined ? {} : { nodeTimeoutMs: options.nodeTimeoutMs }),
    });
    return {
      topology,
      url: cluster.nodes[0]!.url,
      env: { REDIS_CLUSTER_NODES: cluster.seeds },
      freshPrefix: () => `{e2e-${random()}}`,
      connect: () =>
        new Cluster(cluster.clientNodes, { redisOptions: { maxRetriesPerRequest: null } }),
      cluster,
      dispose: () => cluster.dispose(),
    };
  }
  const sentinel = await startRedisSentinel({ replicas: 1 });
  const sentinels = sentinel.sentinelAddresses.split(',').map((address) => {
    const [host, port] = address.split(':');
    return { host: host!, port: Number(port) };
  });
  return {
    topology,
    url: sentinel.dataNodes[0]!.url,
    env: { REDIS_SENTINELS: sentinel.sentinelAddresses, REDIS_SENTINEL_NAME: sentinel.masterName },
    freshPrefix: () => `e2e-${random()}`,
    connect: () => new Redis({ sentinels, name: sentinel.masterName, maxRetriesPerRequest: null }),
    cluster: undefined,
    dispose: () => sentinel.dispose(),
  };
}

/**
 * startSystem's Redis options for one system on `redis` (a fresh QUEUE_PREFIX each time); none on
 * a single node, where startSystem takes a test Redis of its own (useTestRedis, cleaned up after).
 */
/** startSystem's options that put a system on a topology (none: the default redis-server). */
export interface OnTopology {
  redisUrl?: string;
  queuePrefix?: string;
  redisEnv?: Record<string, string>;
  connect?: () => RedisConnection;
}

export function onTopology(redis: TopologyRedis | undefined): OnTopology {
  if (!redis) return {};
  return {
    redisUrl: redis.url,
    queuePrefix: redis.freshPrefix(),
    redisEnv: { ...redis.env },
    connect: () => redis.connect(),
  };
}
