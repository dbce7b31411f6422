import { spawn } from 'node:child_process';
import { freePort } from './free-port';
import { askRedis, type RedisProcess } from './redis-process';
import { startRedisServer } from './redis';
import { waitFor } from './wait-for';

export interface RedisClusterOptions {
  readonly masters?: number;
  readonly replicasPerMaster?: number;
  /** `cluster-node-timeout`: how long a silent master has before its replica takes over. */
  readonly nodeTimeoutMs?: number;
  readonly appendOnly?: false | 'everysec' | 'always';
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
  /** The node on `port`. */
  node(port: number): RedisProcess;
  /** `CLUSTER NODES` as a running node sees it. */
  view(): Promise<ClusterNodeView[]>;
  /** The nodes that are masters now (a failover changes them). */
  masters(): Promise<RedisProcess[]>;
  /** Until every running node says `cluster_state:ok` and every replica has synced. */
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

/**
 * Starts `masters × (1 + replicasPerMaster)` nodes with `--cluster-enabled yes`, forms the cluster
 * with `redis-cli --cluster create … --cluster-replicas N --cluster-yes` and waits until it is
 * healthy. Each node's bus port is a free port of its own (`--cluster-port`).
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
  try {
    for (let i = 0; i < total; i++) {
      const busPort = await freePort();
      nodes.push(
        await startRedisServer({
          appendOnly: options.appendOnly ?? 'everysec',
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(options.nodeTimeoutMs ?? 1000),
            '--cluster-port',
            String(busPort),
          ],
        }),
      );
    }
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
          for (const node of nodes.filter((n) => n.running)) {
            const ok = await askRedis(node.port, async (r) => {
              const info = await r.cluster('INFO');
              if (!info.includes('cluster_state:ok')) return false;
              const replication = await r.info('replication');
              return (
                !replication.includes('role:slave') || replication.includes('master_link_status:up')
              );
            });
            if (!ok) return false;
          }
          return true;
        },
        { timeoutMs, intervalMs: 100, what: 'cluster_state:ok on every node' },
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
