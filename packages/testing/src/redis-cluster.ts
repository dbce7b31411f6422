import { spawn } from 'node:child_process';
import { freePort } from './free-port';
import { askRedis, type RedisProcess } from './redis-process';
import { startRedisServer, type AclUser } from './redis';
import { waitFor } from './wait-for';

export interface RedisClusterOptions {
  readonly masters?: number;
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a silent master has before its replica takes over. */
  readonly nodeTimeoutMs?: number;
  readonly appendOnly?: false | 'everysec' | 'always';
  /** An ACL user on every node (the harness itself stays on the open `default` user). */
  readonly aclUser?: AclUser;
}

/** One node as `CLUSTER NODES` describes it. */
export interface ClusterNodeView {
  readonly id: string;
  readonly port: number;
  readonly role: 'master' | 'replica';
  /** Flagged `fail` (or `fail?`) by the node asked. */
  readonly failing: boolean;
  /** The master's id, for a replica. */
  readonly masterId: string | undefined;
}

/** A Redis Cluster of `redis-server` processes on loopback ports (no Docker). */
export interface TestRedisCluster {
  readonly nodes: readonly RedisProcess[];
  /** `host:port,...` of every node: a REDIS_CLUSTER_NODES value. */
  readonly seeds: string;
  /** Every node as an ioredis `Cluster` takes its startup nodes. */
  readonly clientNodes: { host: string; port: number }[];
  /** The node on `port`. */
  node(port: number): RedisProcess;
  /** `CLUSTER NODES` as a running node sees it. */
  view(): Promise<ClusterNodeView[]>;
  /** The nodes that are masters now (a failover changes them). */
  masters(): Promise<RedisProcess[]>;
  /**
   * Until every running node says `cluster_state:ok`, every replica has synced, and every running
   * node's `CLUSTER NODES` lists every running node with the same role and master.
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id = '', address = '', flags = '', master = '-'] = line.split(' ');
      const port = Number(/:(\d+)@/.exec(address)?.[1] ?? 0);
      const flagList = flags.split(',');
      return {
        id,
        port,
        role: flagList.includes('master') ? ('master' as const) : ('replica' as const),
        failing: flagList.includes('fail') || flagList.includes('fail?'),
        masterId: master === '-' ? undefined : master,
      };
    });
}

/**
 * Every running node with its role and master as one node's `CLUSTER NODES` shows them, or
 * `undefined` while that view misses a running node or flags one failing. Gossip reaches the nodes
 * one by one: right after the cluster forms (or fails over) one node may not list a replica yet or
 * may still call the old master a master, so a harness that waits only for `cluster_state:ok`
 * hands tests a cluster whose nodes disagree.
 */
export function topologyPicture(
  view: readonly ClusterNodeView[],
  runningPorts: readonly number[],
): string | undefined {
  const portOf = new Map(view.map((n) => [n.id, n.port]));
  const entries: string[] = [];
  for (const port of runningPorts) {
    const node = view.find((n) => n.port === port);
    if (!node || node.failing) return undefined;
    const master = node.masterId === undefined ? '' : String(portOf.get(node.masterId) ?? '?');
    entries.push(`${port}:${node.role}:${master}`);
  }
  return entries.sort().join(' ');
}

function runRedisCli(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `redis-cli ${args.slice(0, 2).join(' ')} failed: ${output.trim().slice(-500)}`,
            ),
          ),
    );
  });
}

const CLUSTER_SLOTS = 16384;

/**
 * The slot ranges of `masters` masters as `redis-cli --cluster create` assigns them (its rounding:
 * 3 masters get 0-5460, 5461-10922, 10923-16383), so a cluster formed by hand splits like one
 * formed by redis-cli.
 */
export function slotRanges(masters: number): [number, number][] {
  if (!Number.isInteger(masters) || masters < 1 || masters > CLUSTER_SLOTS)
    throw new RangeError(
      `masters must be a whole number from 1 to ${CLUSTER_SLOTS} (got ${masters})`,
    );
  const perNode = CLUSTER_SLOTS / masters;
  const ranges: [number, number][] = [];
  let first = 0;
  let cursor = 0;
  for (let i = 0; i < masters; i++) {
    let last = Math.round(cursor + perNode - 1);
    if (last > CLUSTER_SLOTS || i === masters - 1) last = CLUSTER_SLOTS - 1;
    if (last < first) last = first;
    ranges.push([first, last]);
    first = last + 1;
    cursor += perNode;
  }
  return ranges;
}

/**
 * Forms a cluster of fewer than 3 masters, which `redis-cli --cluster create` refuses: each master
 * takes its slot range, every node meets the first one, and each replica replicates its master
 * once it knows every node.
 */
async function formByHand(
  nodes: readonly RedisProcess[],
  busPorts: readonly number[],
  masters: number,
): Promise<void> {
  const ranges = slotRanges(masters);
  for (let i = 0; i < masters; i++) {
    const [first, last] = ranges[i]!;
    await askRedis(nodes[i]!.port, (r) => r.call('CLUSTER', 'ADDSLOTSRANGE', first, last));
  }
  for (const node of nodes.slice(1))
    await askRedis(node.port, (r) =>
      r.call('CLUSTER', 'MEET', '127.0.0.1', nodes[0]!.port, busPorts[0]!),
    );
  const idOf = (port: number) =>
    askRedis(port, (r) => r.call('CLUSTER', 'MYID') as Promise<string>);
  await waitFor(
    async () => {
      for (const node of nodes) {
        const known = parseClusterNodes(
          await askRedis(node.port, (r) => r.cluster('NODES') as Promise<string>),
        );
        if (known.length < nodes.length) return false;
      }
      return true;
    },
    { timeoutMs: 20_000, intervalMs: 100, what: 'every cluster node to know every other' },
  );
  for (let i = masters; i < nodes.length; i++) {
    const masterId = await idOf(nodes[(i - masters) % masters]!.port);
    await askRedis(nodes[i]!.port, (r) => r.call('CLUSTER', 'REPLICATE', masterId));
  }
}

/**
 * Starts `masters × (1 + replicasPerMaster)` nodes with `--cluster-enabled yes`, forms the cluster
 * with `redis-cli --cluster create … --cluster-replicas N --cluster-yes` (by hand, with the same
 * slot split, for 1 or 2 masters, which redis-cli refuses) and waits until it is healthy. Each
 * node's bus port is a free port of its own (`--cluster-port`).
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const total = masters * (1 + replicas);
  const nodes: RedisProcess[] = [];
  const dispose = async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
  };
  const busPorts: number[] = [];
  try {
    for (let i = 0; i < total; i++) {
      const busPort = await freePort();
      busPorts.push(busPort);
      nodes.push(
        await startRedisServer({
          appendOnly: options.appendOnly ?? 'everysec',
          ...(options.aclUser ? { aclUser: options.aclUser } : {}),
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(options.nodeTimeoutMs ?? 1000),
            '--cluster-port',
            String(busPort),
            // A node learns its own address from the others' MEET; a lone master never does and
            // would announce "" in CLUSTER SLOTS, which clients cannot connect to.
            '--cluster-announce-ip',
            '127.0.0.1',
          ],
        }),
      );
    }
    if (masters < 3) await formByHand(nodes, busPorts, masters);
    else
      await runRedisCli([
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
  } catch (error) {
    await dispose();
    throw error;
  }
  const byPort = (port: number) => {
    const found = nodes.find((n) => n.port === port);
    if (!found) throw new Error(`no cluster node on port ${port}`);
    return found;
  };
  const cluster: TestRedisCluster = {
    nodes,
    seeds: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    clientNodes: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    node: byPort,
    async view() {
      for (const node of nodes.filter((n) => n.running)) {
        try {
          return parseClusterNodes(
            await askRedis(node.port, (r) => r.cluster('NODES') as Promise<string>),
          );
        } catch {
          // a paused or dying node: ask the next
        }
      }
      throw new Error('no cluster node answers');
    },
    async masters() {
      const view = await cluster.view();
      return view.filter((n) => n.role === 'master' && !n.failing).map((n) => byPort(n.port));
    },
    async waitUntilHealthy(timeoutMs = 30_000) {
      await waitFor(
        async () => {
          const running = nodes.filter((n) => n.running);
          const pictures = new Set<string>();
          for (const node of running) {
            const picture = await askRedis(node.port, async (r) => {
              const info = await r.cluster('INFO');
              if (!info.includes('cluster_state:ok')) return undefined;
              const replication = await r.info('replication');
              if (
                replication.includes('role:slave') &&
                !replication.includes('master_link_status:up')
              )
                return undefined;
              return topologyPicture(
                parseClusterNodes((await r.cluster('NODES')) as string),
                running.map((n) => n.port),
              );
            });
            if (picture === undefined) return false;
            pictures.add(picture);
          }
          return pictures.size === 1;
        },
        {
          timeoutMs,
          intervalMs: 100,
          what: 'cluster_state:ok, synced replicas and the same roles in every node’s view',
        },
      );
    },
    dispose,
  };
  try {
    await cluster.waitUntilHealthy();
  } catch (error) {
    await dispose();
    throw error;
  }
  return cluster;
}
