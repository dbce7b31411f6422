import { readFileSync } from 'node:fs';
import type { ClusterRedis, RedisTopology } from '@so-connector/config';
import { Redis, type Cluster } from 'ioredis';
import {
  clusterOptions,
  roleOptions,
  sentinelOptions,
  singleNodeOptions,
  type CaText,
  type ConnectionOptions,
} from './redis-options';
import { SettlingCluster } from './settling-cluster';

export type { ConnectionOptions, ConnectionRole } from './redis-options';

/**
 * What the receiver and the worker talk to: one node (or the Sentinels' master) as a `Redis`, or a
 * Redis Cluster as a `Cluster`. Both take the same commands. Every connector key carries a
 * hash-tagged prefix, so multi-key commands, MULTI and BullMQ's scripts stay within one slot: with
 * one partition (QUEUE_PARTITIONS=1, the default) that is QUEUE_PREFIX (`{so}`) and every key is
 * in its slot; with more, each partition has its own tag (`{so-p1}`, …) holding its `so-events`
 * and `so-enrich` queues and its tenants' own keys, while what every tenant shares (the registry,
 * re-consent marks, `so-maintenance`) stays in QUEUE_PREFIX's slot (partitions.ts, tenant-keys.ts;
 * docs/architecture.md "Partitions").
 */
export type RedisConnection = Redis | Cluster;
export { inspectRedisDurability, type RedisDurabilityReport } from './durability';

/** REDIS_TLS_CA_FILE's PEM text; config validated it, so a failure here is a file changed since. */
function caOf(topology: RedisTopology): CaText {
  const caFile = topology.tls?.caFile;
  if (caFile === undefined) return undefined;
  try {
    return readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new Error(
      `REDIS_TLS_CA_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/**
 * One connection to Redis, with the role's settings (see `ConnectionRole`):
 * - a URL (`redis://`, `rediss://`): that single node, as always;
 * - `config.redis` in `single` mode: REDIS_URL with REDIS_USERNAME/REDIS_PASSWORD and REDIS_TLS_CA_FILE;
 * - `config.redis` in `sentinel` mode: the master the Sentinels name, followed through failovers.
 * Redis Cluster is a `Cluster`, not a `Redis`: use `createConnection`, which gives either (docs/deploy.md).
 */
export function createRedisConnection(
  target: string | RedisTopology,
  options: ConnectionOptions,
): Redis {
  if (typeof target === 'string') return new Redis(target, roleOptions(options));
  switch (target.mode) {
    case 'single':
      return new Redis(target.url, singleNodeOptions(target, options, caOf(target)));
    case 'sentinel':
      return new Redis(sentinelOptions(target, options, caOf(target)));
    case 'cluster':
      throw new Error(
        'REDIS_CLUSTER_NODES is set: a Redis Cluster connection is made with createConnection (docs/deploy.md "Redis Cluster")',
      );
  }
}

/**
 * A Redis Cluster connection from REDIS_CLUSTER_NODES (seed nodes; the others are discovered): a
 * SettlingCluster, so a reconnect during a failover cannot leave a BullMQ worker waiting for ever.
 */
export function createRedisClusterConnection(
  topology: ClusterRedis,
  options: ConnectionOptions,
): Cluster {
  return new SettlingCluster(
    topology.nodes.map(({ host, port }) => ({ host, port })),
    clusterOptions(topology, options, caOf(topology)),
  );
}

/**
 * The receiver's and worker's connection from REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES:
 * a `Cluster` for the cluster topology, else `createRedisConnection`'s `Redis`.
 */
export function createConnection(
  topology: RedisTopology,
  options: ConnectionOptions,
): RedisConnection {
  return topology.mode === 'cluster'
    ? createRedisClusterConnection(topology, options)
    : createRedisConnection(topology, options);
}

/**
 * Closes a connection for good: QUIT (the server finishes what was sent), then disconnect. The
 * disconnect also stops what QUIT leaves running: with Sentinel, ioredis's failover detector keeps
 * its own connections to the Sentinels (the +switch-master subscription), which only `disconnect`
 * closes — left open, they reconnect for ever once the Sentinels are gone.
 */
export async function closeRedis(
  redis: Pick<RedisConnection, 'quit' | 'disconnect'>,
): Promise<void> {
  await redis.quit().catch(() => undefined);
  redis.disconnect();
}
