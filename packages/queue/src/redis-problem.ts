import type { RedisTopology } from '@so-connector/config';
import type { Cluster, Redis } from 'ioredis';
import { inspectRedisTopology, type RedisTopologyReport } from './inspect-topology';

/**
 * What to change when Redis cannot be used, by what went wrong: the variable to check, named.
 * Shared by `doctor`'s FAIL lines and the receiver's and worker's start-up line.
 */
export function redisConnectionFix(error: string, mode: RedisTopology['mode']): string {
  if (mode === 'sentinel' && error.includes('REDIS_SENTINEL_NAME'))
    return 'set REDIS_SENTINEL_NAME to the name in the Sentinels’ "sentinel monitor <name> …"';
  if (/certificate|self[- ]signed|unable to verify|SSL|TLS/i.test(error))
    return "set REDIS_TLS_CA_FILE to the CA that signed Redis's certificate (or check that the server speaks TLS)";
  if (/WRONGPASS|NOAUTH|invalid username-password|AUTH/i.test(error))
    return mode === 'single'
      ? 'check the user:password in REDIS_URL (or REDIS_USERNAME and REDIS_PASSWORD)'
      : 'check REDIS_USERNAME and REDIS_PASSWORD';
  if (/NOPERM/.test(error))
    return 'the ACL user needs INFO (+info) besides the commands BullMQ runs';
  const variable = {
    single: 'REDIS_URL',
    sentinel: 'REDIS_SENTINELS',
    cluster: 'REDIS_CLUSTER_NODES',
  }[mode];
  return `check ${variable} and that Redis runs and is reachable from here`;
}

/**
 * Why the configured Redis cannot be used, in one line that names the variable to check (no Sentinel
 * knows REDIS_SENTINEL_NAME, no node of REDIS_CLUSTER_NODES answers, a node refuses TLS without
 * REDIS_TLS_CA_FILE, …); undefined when every data node answered.
 */
export function redisProblem(report: RedisTopologyReport): string | undefined {
  if (report.error !== undefined)
    return `${report.error}; ${redisConnectionFix(report.error, report.mode)}`;
  const failed = report.nodes.find((n) => n.error !== undefined);
  if (failed?.error === undefined) return undefined;
  return `${failed.address}: ${failed.error}; ${redisConnectionFix(failed.error, report.mode)}`;
}

/**
 * Asks the topology (one short, retry-less connection per node, as `doctor` does) why it cannot be
 * used. For a process whose own connection did not get ready: ioredis' retries only say "All
 * sentinels are unreachable" or "Failed to refresh slots cache", not which variable is wrong.
 */
export async function diagnoseRedis(
  topology: RedisTopology,
  timeoutMs: number,
): Promise<string | undefined> {
  return redisProblem(await inspectRedisTopology(topology, { timeoutMs }));
}

/**
 * Once `connection` has not got ready within `afterMs`, asks why (`diagnoseRedis`) and hands the
 * line to `report`, once; nothing when it gets ready first. Returns a stop for shutdown.
 */
export function reportUnusableRedis(
  connection: Redis | Cluster,
  topology: RedisTopology,
  report: (problem: string) => void,
  afterMs: number,
): () => void {
  let stopped = connection.status === 'ready';
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    connection.off('ready', stop);
  };
  const timer = setTimeout(() => {
    void diagnoseRedis(topology, afterMs)
      .catch((error: Error) => error.message)
      .then((problem) => {
        if (!stopped && problem !== undefined) report(problem);
        stop();
      });
  }, afterMs);
  timer.unref();
  if (stopped) stop();
  else connection.once('ready', stop);
  return stop;
}
