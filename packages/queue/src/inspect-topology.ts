import type { RedisNodeAddress, RedisTopology } from '@so-connector/config';
import { Redis, type RedisOptions } from 'ioredis';
import { readFileSync } from 'node:fs';

/** One Redis node as `doctor` sees it (from `INFO`, which managed Redis allows where CONFIG is not). */
export interface RedisNodeReport {
  /** `host:port` */
  readonly address: string;
  /** `master` or `replica`, as the node itself says. */
  readonly role: 'master' | 'replica' | undefined;
  readonly version: string | undefined;
  readonly evictionPolicy: string | undefined;
  readonly appendOnly: boolean | undefined;
  /** Why the node could not be asked (connection, TLS, ACL); undefined when it answered. */
  readonly error: string | undefined;
}

export interface SentinelReport {
  readonly masterName: string;
  /** Every Sentinel of REDIS_SENTINELS with its answer: the master's address, or why not. */
  readonly sentinels: readonly {
    readonly address: string;
    readonly master?: string;
    readonly error?: string;
  }[];
  /** `SENTINEL CKQUORUM`: whether the Sentinels can authorise a failover. */
  readonly quorum: { readonly ok: boolean; readonly message: string } | undefined;
}

export interface ClusterReport {
  /** `cluster_state` of the first seed that answered. */
  readonly state: string | undefined;
  readonly slotsAssigned: number | undefined;
  /** Masters that have no replica: their slots have no failover. */
  readonly mastersWithoutReplica: readonly string[];
  /** Nodes flagged `fail` by the cluster. */
  readonly failing: readonly string[];
}

export interface RedisTopologyReport {
  readonly mode: RedisTopology['mode'];
  /** The data nodes: the single node; the master and its replicas; every cluster node. */
  readonly nodes: readonly RedisNodeReport[];
  readonly sentinel?: SentinelReport;
  readonly cluster?: ClusterReport;
  /** Why the nodes could not be found (no Sentinel or seed answers, unknown master name). */
  readonly error?: string;
}

export interface InspectOptions {
  /** Connect timeout per node. */
  readonly timeoutMs: number;
}

const address = (node: RedisNodeAddress) =>
  node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Connection settings for one short question: no retries, TLS and ACL as configured. */
function probeOptions(topology: RedisTopology, timeoutMs: number, sentinel = false): RedisOptions {
  const ca =
    topology.tls?.caFile === undefined ? undefined : readFileSync(topology.tls.caFile, 'utf8');
  const password =
    sentinel && topology.mode === 'sentinel' ? topology.sentinelPassword : topology.password;
  return {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectionName: 'so-connector:doctor',
    ...(!sentinel && topology.username !== undefined ? { username: topology.username } : {}),
    ...(password === undefined ? {} : { password }),
    ...(topology.tls ? { tls: ca === undefined ? {} : { ca } } : {}),
  };
}

async function withConnection<T>(redis: Redis, call: (redis: Redis) => Promise<T>): Promise<T> {
  const errors: Error[] = [];
  redis.on('error', (error: Error) => errors.push(error));
  try {
    await redis.connect();
    return await call(redis);
  } catch (error) {
    // ioredis reports "Connection is closed" after the real cause (TLS, auth) was emitted.
    throw errors[0] ?? error;
  } finally {
    // A connection that failed is already ended: disconnect() would arm ioredis' 2 s
    // disconnectTimeout on its closed socket and hold the process up that long.
    if (redis.status !== 'end') redis.disconnect();
  }
}

/** `field:value` lines of INFO. */
export function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

function nodeReport(at: string, info: string): RedisNodeReport {
  const role = infoField(info, 'role');
  const aof = infoField(info, 'aof_enabled');
  return {
    address: at,
    role: role === 'master' ? 'master' : role === 'slave' ? 'replica' : undefined,
    version: infoField(info, 'redis_version'),
    evictionPolicy: infoField(info, 'maxmemory_policy'),
    appendOnly: aof === undefined ? undefined : aof === '1',
    error: undefined,
  };
}

async function inspectNode(at: string, redis: Redis): Promise<RedisNodeReport> {
  try {
    return nodeReport(at, await withConnection(redis, (r) => r.info()));
  } catch (error) {
    return {
      address: at,
      role: undefined,
      version: undefined,
      evictionPolicy: undefined,
      appendOnly: undefined,
      error: errorText(error),
    };
  }
}

function nodeAt(
  topology: RedisTopology,
  node: RedisNodeAddress,
  timeoutMs: number,
): Promise<RedisNodeReport> {
  return inspectNode(
    address(node),
    new Redis({ host: node.host, port: node.port, ...probeOptions(topology, timeoutMs) }),
  );
}

/** `SENTINEL REPLICAS`' entries (flat field lists) as addresses, skipping those marked down. */
function replicaAddresses(reply: unknown): RedisNodeAddress[] {
  const entries = Array.isArray(reply) ? (reply as string[][]) : [];
  return entries.flatMap((entry) => {
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < entry.length; i += 2) fields.set(entry[i]!, entry[i + 1]!);
    const flags = fields.get('flags') ?? '';
    if (/s_down|o_down|disconnected/.test(flags)) return [];
    return [{ host: fields.get('ip') ?? '', port: Number(fields.get('port')) }];
  });
}

async function inspectSentinel(
  topology: Extract<RedisTopology, { mode: 'sentinel' }>,
  timeoutMs: number,
): Promise<RedisTopologyReport> {
  const name = topology.masterName;
  const ask = (node: RedisNodeAddress) =>
    new Redis({ host: node.host, port: node.port, ...probeOptions(topology, timeoutMs, true) });
  const answers = await Promise.all(
    topology.sentinels.map(async (node) => {
      try {
        return await withConnection(ask(node), async (r) => {
          const master = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as
            [string, string] | null;
          if (!master) return { address: address(node), error: `knows no master named ${name}` };
          const replicas = replicaAddresses(await r.call('SENTINEL', 'REPLICAS', name));
          const quorum = await r.call('SENTINEL', 'CKQUORUM', name).then(
            (reply) => ({ ok: true, message: String(reply) }),
            (error: unknown) => ({ ok: false, message: errorText(error) }),
          );
          return {
            address: address(node),
            master: { host: master[0], port: Number(master[1]) },
            replicas,
            quorum,
          };
        });
      } catch (error) {
        return { address: address(node), error: errorText(error) };
      }
    }),
  );
  const found = answers.find((a) => 'master' in a && a.master !== undefined);
  const sentinel: SentinelReport = {
    masterName: name,
    sentinels: answers.map((a) =>
      'master' in a && a.master
        ? { address: a.address, master: address(a.master) }
        : { address: a.address, error: a.error ?? 'no answer' },
    ),
    quorum: found && 'quorum' in found ? found.quorum : undefined,
  };
  if (!found || !('master' in found) || !found.master) {
    const unknown = answers.some((a) => a.error?.startsWith('knows no master'));
    return {
      mode: 'sentinel',
      nodes: [],
      sentinel,
      error: unknown
        ? `no Sentinel knows a master named ${name} (REDIS_SENTINEL_NAME)`
        : `no Sentinel of REDIS_SENTINELS answers (${answers.map((a) => `${a.address}: ${a.error}`).join('; ')})`,
    };
  }
  const dataNodes = [found.master, ...(found.replicas ?? [])];
  const nodes = await Promise.all(dataNodes.map((node) => nodeAt(topology, node, timeoutMs)));
  return { mode: 'sentinel', nodes, sentinel };
}

/** `CLUSTER NODES` lines: address (`ip:port@bus[,hostname]`), flags, master id. */
function clusterNodes(text: string) {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const [id = '', at = '', flags = '', master = '-'] = line.split(' ');
      const [hostPort = ''] = at.split('@');
      const cut = hostPort.lastIndexOf(':');
      return {
        id,
        node: { host: hostPort.slice(0, cut), port: Number(hostPort.slice(cut + 1)) },
        flags: flags.split(','),
        masterId: master === '-' ? undefined : master,
      };
    });
}

async function inspectCluster(
  topology: Extract<RedisTopology, { mode: 'cluster' }>,
  timeoutMs: number,
): Promise<RedisTopologyReport> {
  const tried: string[] = [];
  for (const seed of topology.nodes) {
    try {
      const redis = new Redis({
        host: seed.host,
        port: seed.port,
        ...probeOptions(topology, timeoutMs),
      });
      const [nodesText, info] = await withConnection(redis, async (r) => [
        (await r.cluster('NODES')) as string,
        await r.cluster('INFO'),
      ]);
      const known = clusterNodes(nodesText).filter(
        (n) => !n.flags.includes('noaddr') && n.node.host !== '',
      );
      const live = known.filter((n) => !n.flags.includes('fail'));
      const masters = live.filter((n) => n.flags.includes('master'));
      const cluster: ClusterReport = {
        state: infoField(info, 'cluster_state'),
        slotsAssigned: Number(infoField(info, 'cluster_slots_assigned')),
        mastersWithoutReplica: masters
          .filter((m) => !live.some((n) => n.masterId === m.id))
          .map((m) => address(m.node)),
        failing: known.filter((n) => n.flags.includes('fail')).map((n) => address(n.node)),
      };
      const nodes = await Promise.all(live.map((n) => nodeAt(topology, n.node, timeoutMs)));
      return { mode: 'cluster', nodes, cluster };
    } catch (error) {
      tried.push(`${address(seed)}: ${errorText(error)}`);
    }
  }
  return {
    mode: 'cluster',
    nodes: [],
    error: `no node of REDIS_CLUSTER_NODES answers (${tried.join('; ')})`,
  };
}

/**
 * Finds every data node of the topology and asks each for its role, version, eviction policy and
 * AOF (`doctor`). Nothing throws: what cannot be reached is reported as such.
 */
export async function inspectRedisTopology(
  topology: RedisTopology,
  options: InspectOptions,
): Promise<RedisTopologyReport> {
  switch (topology.mode) {
    case 'single': {
      const url = new URL(topology.url);
      const at = `${url.hostname}:${url.port || '6379'}`;
      return {
        mode: 'single',
        nodes: [
          await inspectNode(at, new Redis(topology.url, probeOptions(topology, options.timeoutMs))),
        ],
      };
    }
    case 'sentinel':
      return inspectSentinel(topology, options.timeoutMs);
    case 'cluster':
      return inspectCluster(topology, options.timeoutMs);
  }
}
