import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { RedisConnection } from '@so-connector/queue';
import {
  type AclUser,
  askRedis,
  type RedisProcess,
  startRedisCluster,
  startRedisSentinel,
  type TestRedisCluster,
} from '@so-connector/testing';

/** Where the e2e processes find Redis (issue 13: the suites run on all three). */
export type Topology = 'cluster' | 'sentinel' | 'single';

/** Every topology, the single node first: a suite's `describe.each` over all three. */
export const TOPOLOGIES: readonly Topology[] = ['single', 'cluster', 'sentinel'];

/** A Cluster or Sentinel setup on loopback ports, started from the binaries (no Docker). */
export interface TopologyRedis {
  readonly topology: Exclude<Topology, 'single'>;
  /** REDIS_URL for a process (on a Cluster or Sentinel setup, a data node: the variables below win). */
  readonly url: string;
  /**
   * The Redis variables every process gets besides REDIS_URL, including the ACL user the processes
   * sign in as on every data node (REDIS_USERNAME, REDIS_PASSWORD), as with a managed Redis.
   */
  readonly env: Readonly<Record<string, string>>;
  /** The ACL user of `env` (the harness's own connections stay on the open `default` user). */
  readonly aclUser: AclUser;
  /** A QUEUE_PREFIX of its own for one system: hash-tagged on a Cluster, so its keys share a slot. */
  freshPrefix(): string;
  /** The harness's own connection, as the processes connect. */
  connect(): RedisConnection;
  readonly cluster: TestRedisCluster | undefined;
  /** Every data node (masters and replicas; roles change on failover), not the Sentinels. */
  readonly dataNodes: readonly RedisProcess[];
  dispose(): Promise<void>;
}

/** The name of the harness's own connections (`connect()`, the sign-in check), on every node. */
const HARNESS = 'e2e-harness';

/** A 6-node Cluster (3 masters, 3 replicas), or a Sentinel setup (master, replica, three Sentinels). */
export async function startTopologyRedis(
  topology: Exclude<Topology, 'single'>,
  options: { readonly nodeTimeoutMs?: number } = {},
): Promise<TopologyRedis> {
  const random = () => randomBytes(4).toString('hex');
  const aclUser: AclUser = { name: 'so-connector', password: `pw-${random()}${random()}` };
  const aclEnv = { REDIS_USERNAME: aclUser.name, REDIS_PASSWORD: aclUser.password };
  if (topology === 'cluster') {
    const cluster = await startRedisCluster({
      masters: 3,
      replicasPerMaster: 1,
      aclUser,
      ...(options.nodeTimeoutMs === undefined ? {} : { nodeTimeoutMs: options.nodeTimeoutMs }),
    });
    return {
      topology,
      url: cluster.nodes[0]!.url,
      env: { REDIS_CLUSTER_NODES: cluster.seeds, ...aclEnv },
      aclUser,
      freshPrefix: () => `{e2e-${random()}}`,
      connect: () =>
        new Cluster(cluster.clientNodes, {
          redisOptions: { maxRetriesPerRequest: null, connectionName: HARNESS },
        }),
      cluster,
      dataNodes: cluster.nodes,
      dispose: () => cluster.dispose(),
    };
  }
  const sentinel = await startRedisSentinel({ replicas: 1, aclUser });
  const sentinels = sentinel.sentinelAddresses.split(',').map((address) => {
    const [host, port] = address.split(':');
    return { host: host!, port: Number(port) };
  });
  return {
    topology,
    url: sentinel.dataNodes[0]!.url,
    env: {
      REDIS_SENTINELS: sentinel.sentinelAddresses,
      REDIS_SENTINEL_NAME: sentinel.masterName,
      ...aclEnv,
    },
    aclUser,
    freshPrefix: () => `e2e-${random()}`,
    connect: () =>
      new Redis({
        sentinels,
        name: sentinel.masterName,
        maxRetriesPerRequest: null,
        connectionName: HARNESS,
      }),
    cluster: undefined,
    dataNodes: sentinel.dataNodes,
    dispose: () => sentinel.dispose(),
  };
}

/** A describe block's Cluster or Sentinel setup: the setup once started, and its stop. */
export interface BlockTopology {
  /** The setup (undefined on a single node, and before the block's beforeAll). */
  (): TopologyRedis | undefined;
  dispose(): Promise<void>;
}

/**
 * Starts `topology`'s Redis before the tests of the describe block it is called in (nothing on a
 * single node). The caller stops it with `dispose` in an afterAll declared after the one that
 * stops its processes (jest runs afterAll hooks in declaration order); `useTopologyRedis` does so
 * for blocks whose systems stop in an afterEach.
 */
export function startTopologyRedisBeforeAll(topology: Topology): BlockTopology {
  let redis: TopologyRedis | undefined;
  beforeAll(async () => {
    if (topology !== 'single') redis = await startTopologyRedis(topology);
  }, 60_000);
  return Object.assign(() => redis, { dispose: async () => redis?.dispose() });
}

/** startTopologyRedisBeforeAll, stopped after the block's tests (its systems stop in afterEach). */
export function useTopologyRedis(topology: Topology): BlockTopology {
  const block = startTopologyRedisBeforeAll(topology);
  afterAll(() => block.dispose());
  return block;
}

/** startSystem's options that put a system on a topology (none: the default redis-server). */
export interface OnTopology {
  redisUrl?: string;
  queuePrefix?: string;
  redisEnv?: Record<string, string>;
  connect?: () => RedisConnection;
}

/**
 * startSystem's Redis options for one system on `redis` (a fresh QUEUE_PREFIX each time); none on
 * a single node, where startSystem takes a test Redis of its own (useTestRedis, cleaned up after).
 */
export function onTopology(redis: TopologyRedis | undefined): OnTopology {
  if (!redis) return {};
  return {
    redisUrl: redis.url,
    queuePrefix: redis.freshPrefix(),
    redisEnv: { ...redis.env },
    connect: () => redis.connect(),
  };
}

/** Who is connected to the data nodes, by how they signed in (`CLIENT LIST` on each running node). */
export interface SignIns {
  /** Connections signed in as the topology's ACL user. */
  readonly asAclUser: number;
  /**
   * Connections on the open `default` user that are none of: the harness's own, a replication
   * link, a Sentinel, one that has sent no command yet (`cmd=NULL`: a client connecting now, before
   * its AUTH). A process that ignored REDIS_USERNAME/REDIS_PASSWORD shows up here.
   */
  readonly unexplained: string[];
}

export async function signIns(redis: TopologyRedis): Promise<SignIns> {
  let asAclUser = 0;
  const unexplained: string[] = [];
  for (const node of redis.dataNodes.filter((n) => n.running)) {
    const list = await askRedis(node.port, async (r) => {
      await r.client('SETNAME', HARNESS);
      return String(await r.client('LIST'));
    });
    for (const line of list.trim().split('\n')) {
      const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1] ?? '';
      if (field('user') === redis.aclUser.name) asAclUser++;
      else if (
        field('name') !== HARNESS &&
        !field('name').startsWith('sentinel-') &&
        !/[SM]/.test(field('flags')) &&
        field('cmd') !== 'NULL'
      )
        unexplained.push(`node ${node.port}: ${line}`);
    }
  }
  return { asAclUser, unexplained };
}

/**
 * On a Cluster or Sentinel setup, that the system just started runs there: some connection signed
 * in as the setup's ACL user, which only the processes use (nothing to check on a single node).
 */
export async function expectOnTopology(redis: TopologyRedis | undefined): Promise<void> {
  if (redis) expect((await signIns(redis)).asAclUser).toBeGreaterThan(0);
}
