import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRedisProcess, askRedis, type RedisProcess } from './redis-process';
import { startRedisServer, type AclUser } from './redis';
import { waitFor } from './wait-for';

export interface RedisSentinelOptions {
  readonly replicas?: number;
  readonly sentinels?: number;
  readonly masterName?: string;
  /** `down-after-milliseconds`: how long a silent master has before the Sentinels fail it over. */
  readonly downAfterMs?: number;
  readonly appendOnly?: false | 'everysec' | 'always';
  /** An ACL user on every data node (the harness and the Sentinels stay on the open `default` user). */
  readonly aclUser?: AclUser;
}

/** A master, its replicas and the Sentinels that watch them, on loopback ports (no Docker). */
export interface TestRedisSentinel {
  readonly masterName: string;
  /** The first master, then its replicas: every data node (roles change on failover). */
  readonly dataNodes: readonly RedisProcess[];
  readonly sentinels: readonly RedisProcess[];
  /** `host:port,...` of the Sentinels: a REDIS_SENTINELS value. */
  readonly sentinelAddresses: string;
  /** The data node the Sentinels name as master now. */
  currentMaster(): Promise<RedisProcess>;
  /**
   * Until every running Sentinel knows the master, the replicas and the other Sentinels, and every
   * running replica's link to its master is up (its sync done).
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** What each running Sentinel and data node says now, a line each: for a failed test's message. */
  describe(): Promise<string>;
  dispose(): Promise<void>;
}

const REPLICATION_FIELDS =
  /^(role|connected_slaves|master_port|master_link_status|master_sync_in_progress|master_repl_offset|slave\d+):/;

/** `SENTINEL MASTER <name>`'s flat field list as a record. */
function fields(reply: unknown): Record<string, string> {
  const list = Array.isArray(reply) ? (reply as string[]) : [];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
}

/**
 * Starts a master, `replicas` replicas (`--replicaof`) and `sentinels` Sentinels
 * (`redis-server <conf> --sentinel`, the same binary as `redis-sentinel`) monitoring it with a
 * quorum of a majority, and waits until the Sentinels have found the replicas and each other.
 */
export async function startRedisSentinel(
  options: RedisSentinelOptions = {},
): Promise<TestRedisSentinel> {
  const masterName = options.masterName ?? 'mymaster';
  const replicaCount = options.replicas ?? 1;
  const sentinelCount = options.sentinels ?? 3;
  const appendOnly = options.appendOnly ?? 'everysec';
  const dataNodes: RedisProcess[] = [];
  const sentinels: RedisProcess[] = [];
  const dispose = async () => {
    await Promise.all([...sentinels, ...dataNodes].map((n) => n.dispose()));
  };
  try {
    const aclUser = options.aclUser ? { aclUser: options.aclUser } : {};
    const master = await startRedisServer({ appendOnly, ...aclUser });
    dataNodes.push(master);
    for (let i = 0; i < replicaCount; i++)
      dataNodes.push(
        await startRedisServer({
          appendOnly,
          ...aclUser,
          extraArgs: ['--replicaof', '127.0.0.1', String(master.port)],
        }),
      );
    const quorum = Math.floor(sentinelCount / 2) + 1;
    for (let i = 0; i < sentinelCount; i++)
      sentinels.push(
        await startRedisProcess({
          args: (port, dir) => {
            const conf = join(dir, 'sentinel.conf');
            writeFileSync(
              conf,
              [
                `port ${port}`,
                'bind 127.0.0.1',
                `dir ${dir}`,
                `sentinel monitor ${masterName} 127.0.0.1 ${master.port} ${quorum}`,
                `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1000}`,
                `sentinel failover-timeout ${masterName} 10000`,
                `sentinel parallel-syncs ${masterName} 1`,
                '',
              ].join('\n'),
            );
            return [conf, '--sentinel'];
          },
        }),
      );
  } catch (error) {
    await dispose();
    throw error;
  }
  const setup: TestRedisSentinel = {
    masterName,
    dataNodes,
    sentinels,
    sentinelAddresses: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    async currentMaster() {
      for (const sentinel of sentinels.filter((s) => s.running)) {
        try {
          const [, port] = (await askRedis(sentinel.port, (r) =>
            r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName),
          )) as [string, string];
          const node = dataNodes.find((n) => n.port === Number(port));
          if (node) return node;
        } catch {
          // ask the next Sentinel
        }
      }
      throw new Error(`no Sentinel names a master for ${masterName}`);
    },
    async waitUntilHealthy(timeoutMs = 30_000) {
      await waitFor(
        async () => {
          for (const sentinel of sentinels.filter((s) => s.running)) {
            const info = fields(
              await askRedis(sentinel.port, (r) => r.call('SENTINEL', 'MASTER', masterName)),
            );
            const up = dataNodes.filter((n) => n.running).length - 1;
            if (
              Number(info['num-slaves']) < up ||
              Number(info['num-other-sentinels']) < sentinels.filter((s) => s.running).length - 1 ||
              (info.flags ?? '').includes('down')
            )
              return false;
          }
          return true;
        },
        { timeoutMs, intervalMs: 100, what: `the Sentinels of ${masterName} to see every node` },
      );
      // A replica counts for WAIT (the receiver's REDIS_REPLICA_ACKS) only once its sync is done,
      // which Redis 7 starts after `repl-diskless-sync-delay` (5 s), also for a node that comes
      // back as a replica after a failover: until then every accepted event is spooled ("0 of 1
      // Redis replica(s) acknowledged"), and a test that starts traffic at once sees `spooled`
      // where it expects `accepted`.
      await waitFor(
        async () => {
          // Asked of the master: a node just restarted calls itself master until the Sentinels
          // make it a replica, so its own INFO would pass too early.
          const master = await setup.currentMaster();
          const info = String(await askRedis(master.port, (r) => r.info('replication')));
          const online = info.match(/^slave\d+:.*state=online/gm)?.length ?? 0;
          return online >= dataNodes.filter((n) => n.running).length - 1;
        },
        { timeoutMs, intervalMs: 100, what: `the replicas of ${masterName} in sync` },
      );
    },
    async describe() {
      const lines: string[] = [];
      for (const sentinel of sentinels.filter((s) => s.running)) {
        try {
          const info = fields(
            await askRedis(sentinel.port, (r) => r.call('SENTINEL', 'MASTER', masterName)),
          );
          const { port, flags, 'num-slaves': slaves, 'failover-state': failover } = info;
          lines.push(
            `sentinel ${sentinel.port}: master ${port} flags=${flags} slaves=${slaves} failover=${failover}`,
          );
        } catch (error) {
          lines.push(`sentinel ${sentinel.port}: ${(error as Error).message}`);
        }
      }
      for (const node of dataNodes.filter((n) => n.running)) {
        try {
          const info = String(await askRedis(node.port, (r) => r.info('replication')));
          const kept = info.split(/\r?\n/).filter((line) => REPLICATION_FIELDS.test(line));
          lines.push(`node ${node.port}: ${kept.join(' ')}`);
        } catch (error) {
          lines.push(`node ${node.port}: ${(error as Error).message}`);
        }
      }
      return lines.join('\n');
    },
    dispose,
  };
  try {
    await setup.waitUntilHealthy();
  } catch (error) {
    await dispose();
    throw error;
  }
  return setup;
}
