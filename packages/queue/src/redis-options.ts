import type { RedisTopology, SentinelRedis, ClusterRedis } from '@so-connector/config';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';

/**
 * - `producer`: fails fast. A command is never queued while disconnected, so the receiver can fall
 *   back to its disk spool instead of hanging a webhook request (SuperOffice gives up after 3 tries in ~5 s, superoffice-api.md 3.1).
 * - `worker`: waits for Redis forever; BullMQ requires `maxRetriesPerRequest: null` for
 *   connections used by blocking commands.
 */
export type ConnectionRole = 'producer' | 'worker';

export interface ConnectionOptions {
  readonly role: ConnectionRole;
  /**
   * Per-command timeout (ioredis arms a timer per command when set). Unset by default: the
   * receiver bounds each whole request instead.
   */
  readonly commandTimeoutMs?: number;
  /** Shown in `CLIENT LIST`, to tell the connector's connections apart. */
  readonly connectionName?: string;
}

/** Reconnect quickly at first, then every 2 s at most, forever. */
export function retryStrategy(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2000);
}

/** The per-role settings of one node's connection (single node, Sentinel master, cluster node). */
export function roleOptions(options: ConnectionOptions): RedisOptions {
  const common: RedisOptions = {
    connectionName: options.connectionName ?? `so-connector:${options.role}`,
    retryStrategy,
    lazyConnect: false,
  };
  const byRole: RedisOptions =
    options.role === 'producer'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          // Commands issued in the same tick go out in one write. Under 50 concurrent webhooks this
          // cut the receiver's CPU per request by ~25% (bench/RESULTS.md); order is kept, so the
          // receiver's EXISTS still runs before its add.
          enableAutoPipelining: true,
        }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true };
  const timeout: RedisOptions =
    options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs };
  return { ...common, ...byRole, ...timeout };
}

/** The CA's PEM text (read from REDIS_TLS_CA_FILE by the caller), or undefined for the system CAs. */
export type CaText = string | undefined;

function tlsOptions(ca: CaText): TlsConnectionOptions {
  return ca === undefined ? {} : { ca };
}

/** ACL user and password, only those given (a URL's own are kept otherwise). */
function credentials(topology: RedisTopology): RedisOptions {
  return {
    ...(topology.username === undefined ? {} : { username: topology.username }),
    ...(topology.password === undefined ? {} : { password: topology.password }),
  };
}

/** A single node: REDIS_URL with the role's settings, the ACL user and TLS (rediss://). */
export function singleNodeOptions(
  topology: RedisTopology,
  options: ConnectionOptions,
  ca: CaText,
): RedisOptions {
  return {
    ...roleOptions(options),
    ...credentials(topology),
    ...(topology.tls ? { tls: tlsOptions(ca) } : {}),
  };
}

/** A master found through the Sentinels; re-asked on every reconnect, so a failover is followed. */
export function sentinelOptions(
  topology: SentinelRedis,
  options: ConnectionOptions,
  ca: CaText,
): RedisOptions {
  const tls = topology.tls ? tlsOptions(ca) : undefined;
  return {
    ...roleOptions(options),
    ...credentials(topology),
    sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
    name: topology.masterName,
    role: 'master',
    ...(topology.sentinelPassword === undefined
      ? {}
      : { sentinelPassword: topology.sentinelPassword }),
    ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
    // Sentinels announce +switch-master: reconnect at once instead of at the next retry.
    failoverDetector: true,
    sentinelRetryStrategy: retryStrategy,
    // A master demoted under an open connection answers writes with READONLY: reconnect (the
    // Sentinels give the new master) and resend the command, which did not run.
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
  };
}

/**
 * Redis Cluster: the role's settings on every node connection (BullMQ reads
 * `redisOptions.maxRetriesPerRequest` of a Cluster), fail-fast producers, slot moves followed.
 */
export function clusterOptions(
  topology: ClusterRedis,
  options: ConnectionOptions,
  ca: CaText,
): ClusterOptions {
  const node = roleOptions(options);
  return {
    redisOptions: {
      ...node,
      ...credentials(topology),
      ...(topology.tls ? { tls: tlsOptions(ca) } : {}),
    },
    clusterRetryStrategy: retryStrategy,
    enableOfflineQueue: options.role === 'worker',
    // No ready check (CLUSTER INFO, which ioredis sends to a random master of the pool, with no
    // timeout) for either role:
    // - producer: without the offline queue it is refused while that node still connects (after
    //   the first slots refresh, most of them), the cluster reconnects and tries again: a producer
    //   from one seed node took 7–25 s to get ready, now milliseconds
    //   (packages/queue/test/topology.int.test.ts). A command to a cluster that is down fails
    //   (CLUSTERDOWN, retried ~3 s) and the receiver spools.
    // - worker: a connection that (re)connects while a master hangs — BullMQ's blocking connection
    //   does whenever its BZPOPMIN outlives its watchdog — sent the check to the hung master one
    //   time in three and stayed in 'connect' until that master woke up: its periodic slot refresh
    //   only starts once ready, so the promoted replica was never found. A worker idled through a
    //   20 s hang (e2e/faults/cluster.faults.test.ts, about one run in four on a loaded machine;
    //   topology.int.test.ts reconnects twelve connections during a hang). Without the check the
    //   connection is ready after its first slots refresh; commands to a failing cluster are
    //   retried on CLUSTERDOWN (below), as they would be after any later failure.
    enableReadyCheck: false,
    enableAutoPipelining: options.role === 'producer',
    // While a replica takes over a master's slots the cluster answers CLUSTERDOWN: the command is
    // retried every 200 ms, for ~3 s by a producer (then it fails and the receiver spools), for
    // ~2 min by a worker (which waits for Redis, as on a single node).
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    maxRedirections: options.role === 'producer' ? 16 : 600,
    slotsRefreshTimeout: 2000,
    // Re-read the slot map every 2 s. A master that hangs (SIGSTOP, a stalled VM) keeps its
    // sockets open, so nothing else tells the connection its replica took over: commands sent to
    // it waited until it woke up (workers idle 17 s after a 20 s hang, e2e/faults/
    // cluster.faults.test.ts). Once the map no longer lists it, ioredis drops that node's
    // connection (destroyed 2 s later if it does not close) and resends what waited on it to the
    // new master. ioredis documents a 5 s default but sets none.
    slotsRefreshInterval: 2000,
    // TLS: keep the host names the nodes announce (managed clusters' certificates name them).
    ...(topology.tls ? { dnsLookup: (address, done) => done(null, address) } : {}),
  };
}
