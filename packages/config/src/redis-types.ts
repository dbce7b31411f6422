/** Where Redis is and how to reach it (REDIS_* variables, docs/deploy.md "Beyond one Redis"). */

/** One `host:port` of REDIS_SENTINELS or REDIS_CLUSTER_NODES. */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** TLS towards Redis (and the Sentinels); undefined = plain TCP. */
export interface RedisTlsSettings {
  /** REDIS_TLS_CA_FILE: PEM bundle of the CA that signed the servers' certificates; else the system CAs. */
  readonly caFile: string | undefined;
}

interface RedisCommon {
  /**
   * REDIS_URL as given. It is the connection in `single` mode only; with REDIS_SENTINELS or
   * REDIS_CLUSTER_NODES it is ignored (pass the whole topology to `createRedisConnection`).
   */
  readonly url: string;
  /** REDIS_USERNAME / REDIS_PASSWORD (ACL); in `single` mode the URL may carry them instead. */
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: RedisTlsSettings | undefined;
  /**
   * REDIS_REPLICA_ACKS / REDIS_REPLICA_ACK_TIMEOUT_MS: how many replicas must hold an accepted
   * event (Redis WAIT) before the receiver answers 200; 0 = the master's write is enough.
   */
  readonly replicaAcks: { readonly replicas: number; readonly timeoutMs: number };
}

export interface SingleRedis extends RedisCommon {
  readonly mode: 'single';
}

export interface SentinelRedis extends RedisCommon {
  readonly mode: 'sentinel';
  /** REDIS_SENTINELS */
  readonly sentinels: readonly RedisNodeAddress[];
  /** REDIS_SENTINEL_NAME: the master name the Sentinels monitor. */
  readonly masterName: string;
  /** REDIS_SENTINEL_PASSWORD: when the Sentinels themselves require a password. */
  readonly sentinelPassword: string | undefined;
}

export interface ClusterRedis extends RedisCommon {
  readonly mode: 'cluster';
  /** REDIS_CLUSTER_NODES: seed nodes; the others are discovered. */
  readonly nodes: readonly RedisNodeAddress[];
}

/** A single node (REDIS_URL, the default), a Sentinel-monitored master, or a Redis Cluster. */
export type RedisTopology = SingleRedis | SentinelRedis | ClusterRedis;
