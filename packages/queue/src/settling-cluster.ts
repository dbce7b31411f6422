import { Cluster, type ClusterNode, type ClusterOptions } from 'ioredis';

/**
 * ioredis's own text for a closed connection (its CONNECTION_CLOSED_ERROR_MSG, not exported from
 * its entry point): BullMQ reads it as a connection error and retries instead of emitting 'error'.
 */
const CONNECTION_CLOSED = 'Connection is closed.';

/** The listeners SettlingCluster adds (see `ownsListener`). */
const OWN_LISTENERS = new WeakSet<object>();

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * An ioredis `Cluster` whose `connect()` always settles.
 *
 * ioredis (5.11, and 6.0 alike) `Cluster.connect()`: when the connection's ready check finds
 * `cluster_state:fail` — as during a failover, until the failed master's replica is promoted — the
 * cluster reconnects on its own and is ready a moment later, but the promise `connect()` returned
 * is neither resolved nor rejected, ever. BullMQ's worker awaits that promise when its blocking
 * connection's watchdog fires (RedisConnection.reconnect), so a worker whose watchdog fired inside
 * the failover window stopped fetching jobs for good: its delayed jobs were never promoted
 * (e2e/faults/cluster.faults.test.ts, master SIGKILLed, about one run in twenty-five;
 * settling-cluster.int.test.ts shows ioredis's own promise still pending once the cluster is ready).
 *
 * Here every pending `connect()` also settles when the cluster is next ready (resolved) or ends
 * (rejected), and a duplicate — BullMQ's blocking connection is one — is a SettlingCluster too.
 * The connector's own options now run no ready check at all (redis-options.ts: it could wait on
 * a hung master for as long as the hang); this class still guards any other path that leaves the
 * promise pending, and a Cluster given other options.
 */
export class SettlingCluster extends Cluster {
  // `declare`: no class field is emitted, so nothing resets them after Cluster's constructor,
  // which already calls connect() (unless lazyConnect).
  declare private waiters: Set<Waiter> | undefined;
  declare private listening: { readonly ready: () => void; readonly end: () => void } | undefined;
  declare private seeds: ClusterNode[];

  constructor(startupNodes: ClusterNode[], options?: ClusterOptions) {
    super(startupNodes, options);
    this.seeds = startupNodes;
  }

  /**
   * Whether `listener` (of 'ready' or 'end') is one this class adds while a connect() is pending,
   * so that a check for leaked listeners can leave it out.
   */
  static ownsListener(listener: unknown): boolean {
    return OWN_LISTENERS.has(listener as object);
  }

  override connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      this.trackPending(waiter);
      super.connect().then(
        () => this.settle(waiter),
        (error: unknown) =>
          this.settle(waiter, error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  override duplicate(
    overrideStartupNodes: ClusterNode[] = [],
    overrideOptions: ClusterOptions = {},
  ): SettlingCluster {
    return new SettlingCluster(
      overrideStartupNodes.length > 0 ? overrideStartupNodes : this.seeds.slice(),
      { ...this.options, ...overrideOptions },
    );
  }

  /** One 'ready' and one 'end' listener while any connect() is pending, however many are. */
  private trackPending(waiter: Waiter): void {
    this.waiters ??= new Set();
    this.waiters.add(waiter);
    if (this.listening) return;
    const all = (error?: Error) => {
      for (const pending of [...(this.waiters ?? [])]) this.settle(pending, error);
    };
    const ready = () => all();
    const end = () => all(new Error(CONNECTION_CLOSED));
    OWN_LISTENERS.add(ready);
    OWN_LISTENERS.add(end);
    this.listening = { ready, end };
    this.on('ready', ready);
    this.on('end', end);
  }

  private settle(waiter: Waiter, error?: Error): void {
    this.waiters?.delete(waiter);
    if (this.waiters?.size === 0 && this.listening) {
      this.off('ready', this.listening.ready);
      this.off('end', this.listening.end);
      this.listening = undefined;
    }
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}
