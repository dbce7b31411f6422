// The Redis topologies of benchmark 10: one redis-server, or a Redis Cluster of 1, 2 or 3 masters
// (no replicas: capacity, not failover, is measured), each private to the measurement, AOF off; a
// queue prefix whose partitions spread evenly over the masters and tenants that spread evenly over
// the partitions, so that what differs between the topologies is Redis alone.
import { Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import {
  closeRedis,
  keySlot,
  partitionOf,
  partitionPrefixes,
  QUEUE_NAMES,
  type RedisConnection,
} from '@so-connector/queue';
import { askRedis, startRedisCluster, type TestRedisCluster } from '@so-connector/testing';
import { infoNumber, startRedis } from './bench-common';

export interface Topology {
  readonly name: string;
  /** undefined: one redis-server (REDIS_URL); n: a Redis Cluster of n masters. */
  readonly masters: number | undefined;
}

/** A running topology with the connection and the queues of its partitions. */
export interface RunningTopology {
  readonly topology: Topology;
  readonly prefix: string;
  /** REDIS_URL or REDIS_CLUSTER_NODES, and QUEUE_PREFIX. */
  readonly env: Record<string, string>;
  readonly connection: RedisConnection;
  readonly events: readonly Queue[];
  readonly enrich: readonly Queue[];
  /** The master (index into `nodeStats()`) holding each partition. */
  readonly masterOfPartition: readonly number[];
  /** Per master (the one node of a single server): CPU seconds and commands processed so far. */
  nodeStats(): Promise<NodeStats[]>;
  /** Deletes every key on every master. */
  flush(): Promise<void>;
  dispose(): Promise<void>;
}

export interface NodeStats {
  readonly port: number;
  readonly cpuSeconds: number;
  /** total_commands_processed: a Lua script's own commands count one each, besides its EVALSHA. */
  readonly commands: number;
  /** Calls per command (INFO commandstats). */
  readonly calls: ReadonlyMap<string, number>;
  readonly usedMemory: number;
}

async function statsOf(port: number): Promise<NodeStats> {
  const [info, commandStats] = await askRedis(port, (r) =>
    Promise.all([r.info(), r.info('commandstats')]),
  );
  const calls = new Map<string, number>();
  for (const [, name, count] of commandStats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls.set(name!, Number(count));
  return {
    port,
    cpuSeconds: infoNumber(info, 'used_cpu_user') + infoNumber(info, 'used_cpu_sys'),
    commands: infoNumber(info, 'total_commands_processed'),
    calls,
    usedMemory: infoNumber(info, 'used_memory'),
  };
}

/** The index of the master whose slot ranges hold `slot`. */
function masterOfSlot(ranges: readonly { first: number; last: number; master: number }[]) {
  return (slot: number): number => {
    const range = ranges.find((r) => slot >= r.first && slot <= r.last);
    if (!range) throw new Error(`no master serves slot ${slot}`);
    return range.master;
  };
}

/**
 * The first hash-tagged prefix `{cl<k>}` whose `partitions` partitions lie on the masters as evenly
 * as they can (a count per master that differs by at most one): each partition's slot as ioredis
 * routes it (keySlot), its master from the cluster's own slot map (CLUSTER SLOTS).
 */
export async function evenPrefix(
  cluster: TestRedisCluster,
  partitions: number,
): Promise<{ prefix: string; masterOfPartition: number[]; masterPorts: number[] }> {
  const port = cluster.nodes[0]!.port;
  const slots = (await askRedis(port, (r) => r.cluster('SLOTS'))).map(([first, last, owner]) => ({
    first,
    last,
    masterPort: Number(owner?.[1]),
  }));
  const masterPorts = [...new Set(slots.map((s) => s.masterPort))].sort((a, b) => a - b);
  const ranges = slots.map(({ first, last, masterPort }) => ({
    first,
    last,
    master: masterPorts.indexOf(masterPort),
  }));
  const masterOf = masterOfSlot(ranges);
  for (let k = 0; k < 10_000; k++) {
    const prefix = `{cl${k}}`;
    const masterOfPartition = partitionPrefixes(prefix, partitions).map((p) =>
      masterOf(keySlot(`${p}:${QUEUE_NAMES.events}`)),
    );
    const counts = masterPorts.map((_, m) => masterOfPartition.filter((x) => x === m).length);
    if (Math.max(...counts) - Math.min(...counts) <= 1)
      return { prefix, masterOfPartition, masterPorts };
  }
  throw new Error(`no prefix spreads ${partitions} partitions over ${masterPorts.length} masters`);
}

/**
 * `count` ContextIdentifiers `Cust<n>`, the same number in every partition (FNV-1a, as the
 * receiver and the worker route them): `count` must be a multiple of `partitions`.
 */
export function evenTenants(count: number, partitions: number): string[] {
  if (count % partitions !== 0) throw new Error(`${count} tenants over ${partitions} partitions`);
  const per = count / partitions;
  const filled = new Array<number>(partitions).fill(0);
  const chosen: string[] = [];
  for (let n = 1000; chosen.length < count; n++) {
    const ctx = `Cust${n}`;
    const p = partitionOf(ctx, partitions);
    if (filled[p]! < per) {
      filled[p]! += 1;
      chosen.push(ctx);
    }
  }
  return chosen;
}

/** Starts the topology with `partitions` queue partitions. */
export async function startTopology(
  topology: Topology,
  partitions: number,
): Promise<RunningTopology> {
  let connection: RedisConnection;
  let env: Record<string, string>;
  let prefix: string;
  let masterOfPartition: number[];
  let ports: number[];
  let dispose: () => Promise<void>;
  if (topology.masters === undefined) {
    const redis = await startRedis();
    prefix = 'bench-cl';
    env = { REDIS_URL: redis.url, QUEUE_PREFIX: prefix };
    connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    masterOfPartition = new Array<number>(partitions).fill(0);
    ports = [redis.port];
    dispose = () => redis.dispose();
  } else {
    const cluster = await startRedisCluster({
      masters: topology.masters,
      replicasPerMaster: 0,
      appendOnly: false,
    });
    try {
      const even = await evenPrefix(cluster, partitions);
      prefix = even.prefix;
      masterOfPartition = even.masterOfPartition;
      ports = even.masterPorts;
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    env = { REDIS_CLUSTER_NODES: cluster.seeds, QUEUE_PREFIX: prefix };
    connection = new Cluster(cluster.clientNodes, { redisOptions: { maxRetriesPerRequest: null } });
    dispose = () => cluster.dispose();
  }
  const queues = (name: string) =>
    partitionPrefixes(prefix, partitions).map((p) => new Queue(name, { connection, prefix: p }));
  const events = queues(QUEUE_NAMES.events);
  const enrich = queues(QUEUE_NAMES.enrich);
  return {
    topology,
    prefix,
    env,
    connection,
    events,
    enrich,
    masterOfPartition,
    nodeStats: () => Promise.all(ports.map(statsOf)),
    flush: async () => {
      await Promise.all(ports.map((port) => askRedis(port, (r) => r.flushall())));
    },
    dispose: async () => {
      await Promise.all([...events, ...enrich].map((q) => q.close()));
      await closeRedis(connection);
      await dispose();
    },
  };
}
