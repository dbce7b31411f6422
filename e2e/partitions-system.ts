import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import {
  closeRedis,
  createDeploymentQueues,
  type LabelledQueue,
  type RedisConnection,
} from '@so-connector/queue';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  freePort,
  pendingJobsIn,
  settle,
  useTestRedis,
  waitFor,
  type TestRedisCluster,
} from '@so-connector/testing';
import { startApp, type ProductProcess } from './processes';
import { startTopologyRedis, type Topology } from './topologies';
import {
  ADMIN,
  startTenantSimulators,
  tenantSpec,
  tenantsFileText,
  type SimTenant,
} from './tenants-deployment';

export type { Topology } from './topologies';

/**
 * The exit code of a process once its stdout and stderr are closed too: at 'exit' the pipes may
 * still hold output, so `output()` read then can miss the last lines.
 */
export function closed(process: ProductProcess): Promise<number | null> {
  const { child } = process;
  if (child.exitCode !== null && child.stdout?.readableEnded && child.stderr?.readableEnded)
    return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('close', (code: number | null) => resolve(code)));
}

/**
 * A deployment with partitioned queues (QUEUE_PARTITIONS): two built receivers and one built worker
 * serving `tenants` tenants from a TENANTS_FILE, each its own simulated SuperOffice whose webhook
 * posts to one of the receivers (alternating). On a 6-node Redis Cluster the prefix is a fixed
 * `{so}` (the cluster is this test's alone, so which master holds which partition is the same
 * every run); on a single node, a test prefix without a hash tag.
 */
export interface PartitionedSystem {
  readonly topology: Topology;
  readonly prefix: string;
  readonly partitions: number;
  readonly tenants: readonly SimTenant[];
  readonly receiverUrls: readonly string[];
  /** The harness's connection and every queue partition on it (createDeploymentQueues). */
  readonly connection: RedisConnection;
  readonly queues: readonly LabelledQueue[];
  readonly cluster: TestRedisCluster | undefined;
  /** The environment the processes run with (Redis, prefix, partitions, TENANTS_FILE, app). */
  readonly env: Readonly<Record<string, string>>;
  /** The deployment's scratch directory (tenants file, spools); removed by `stop`. */
  readonly dir: string;
  /** The worker's environment (`env` and the app, pacing and maintenance settings). */
  readonly workerEnv: Readonly<Record<string, string>>;
  /** GET as the admin (HTTP Basic) on the first receiver. */
  admin(path: string): Promise<{ status: number; body: string }>;
  /** Every key on every master (a single node: that node), per master. */
  keysByMaster(): Promise<Map<string, string[]>>;
  outputs(): string[];
  /** The receivers, the worker and any app started with `startApp`, in that order. */
  readonly processes: readonly ProductProcess[];
  /**
   * Starts another app against this deployment and registers it with `stop` (SIGKILL), so a
   * process that should have refused to start but runs on cannot keep jest alive.
   */
  startApp(...args: Parameters<typeof startApp>): ProductProcess;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPartitionedSystem(options: {
  topology: Topology;
  partitions: number;
  tenants: number;
  /** On a Cluster: `cluster-node-timeout` (startRedisCluster's default otherwise). */
  nodeTimeoutMs?: number;
  /** Added to every process's environment (e.g. REDIS_REPLICA_ACKS). */
  env?: Record<string, string>;
  /** Added to the worker's environment (e.g. WORKER_LOCK_DURATION_MS). */
  workerEnv?: Record<string, string>;
}): Promise<PartitionedSystem> {
  const opened: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const close of opened.reverse()) await close().catch(() => undefined);
  };
  try {
    let cluster: TestRedisCluster | undefined;
    let redisEnv: Record<string, string>;
    let connect: () => RedisConnection;
    if (options.topology !== 'single') {
      const started = await startTopologyRedis(
        options.topology,
        options.nodeTimeoutMs === undefined ? {} : { nodeTimeoutMs: options.nodeTimeoutMs },
      );
      opened.push(() => started.dispose());
      cluster = started.cluster;
      // Fixed prefixes: the setup is this system's alone, so which master holds which partition
      // is the same every run.
      redisEnv = { ...started.env, QUEUE_PREFIX: options.topology === 'cluster' ? '{so}' : 'so' };
      connect = () => started.connect();
    } else {
      const redis = await useTestRedis();
      opened.push(() => redis.cleanup());
      redisEnv = { REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix };
      connect = () => new Redis(redis.url, { maxRetriesPerRequest: null });
    }
    const tenants = await startTenantSimulators(
      Array.from({ length: options.tenants }, (_, i) => tenantSpec(i)),
    );
    opened.push(() => Promise.all(tenants.map((t) => t.sim.stop())));
    const dir = mkdtempSync(join(tmpdir(), 'so-e2e-partitions-'));
    opened.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    const tenantsFile = join(dir, 'tenants.json');
    writeFileSync(tenantsFile, tenantsFileText(tenants));
    const env = {
      ...redisEnv,
      QUEUE_PARTITIONS: String(options.partitions),
      TENANTS_FILE: tenantsFile,
      ...options.env,
    };

    const processes: ProductProcess[] = [];
    opened.push(() => Promise.all(processes.map((p) => p.kill())));
    const receiverUrls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      processes.push(
        startApp('receiver', {
          ...env,
          PORT: String(port),
          SPOOL_DIR: join(dir, `spool-${i}`),
          ADMIN_USER: ADMIN.user,
          ADMIN_PASSWORD: ADMIN.password,
        }),
      );
      receiverUrls.push(`http://127.0.0.1:${port}`);
    }
    for (const url of receiverUrls)
      await waitFor(
        async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true,
        { timeoutMs: 20_000, what: `the receiver at ${url}` },
      );
    await Promise.all(
      tenants.map(async (t, i) => {
        const status = await t.sim.registerWebhook({
          targetUrl: `${receiverUrls[i % 2]!}/webhooks/superoffice/${t.contextIdentifier}`,
          secret: t.webhookSecret,
          events: CONNECTOR_WEBHOOK_EVENTS,
        });
        if (status !== 200) throw new Error(`webhook of ${t.contextIdentifier}: ${status}`);
      }),
    );

    const app = tenants[0]!.sim.client;
    const workerEnv = {
      ...env,
      SO_CLIENT_ID: app.clientId,
      SO_CLIENT_SECRET: app.clientSecret,
      SO_RATE_LIMIT_PER_SECOND: '200',
      ENRICH_DEBOUNCE_MS: '300',
      ENRICH_MAX_WAIT_MS: '5000',
      METRICS_PORT: '0',
      WATCHDOG_INTERVAL_MS: '0',
      RECONCILE_INTERVAL_MS: '0',
      ...options.workerEnv,
    };
    const worker = startApp('worker', workerEnv);
    processes.push(worker);
    await waitFor(() => worker.output().includes('worker started'), {
      timeoutMs: 30_000,
      what: `the worker (output: ${worker.output().slice(-500)})`,
    });

    const connection = connect();
    opened.push(() => closeRedis(connection));
    const queues = createDeploymentQueues(connection, redisEnv.QUEUE_PREFIX!, options.partitions);
    opened.push(() => Promise.all(queues.map((q) => q.queue.close())));
    const authorization = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.password}`).toString('base64')}`;
    const sims = tenants.map((t) => t.sim);
    return {
      topology: options.topology,
      prefix: redisEnv.QUEUE_PREFIX!,
      partitions: options.partitions,
      tenants,
      receiverUrls,
      connection,
      queues,
      cluster,
      env,
      dir,
      workerEnv,
      async admin(path) {
        const res = await fetch(`${receiverUrls[0]!}${path}`, {
          headers: { authorization, accept: 'text/html' },
        });
        return { status: res.status, body: await res.text() };
      },
      async keysByMaster() {
        const nodes = connection instanceof Cluster ? connection.nodes('master') : [connection];
        const out = new Map<string, string[]>();
        for (const node of nodes) {
          const keys: string[] = [];
          let cursor = '0';
          do {
            const [next, found] = await node.scan(cursor, 'MATCH', '*', 'COUNT', 1000);
            cursor = next;
            keys.push(...found);
          } while (cursor !== '0');
          out.set(`${node.options.host ?? ''}:${node.options.port ?? ''}`, keys);
        }
        return out;
      },
      outputs: () => processes.map((p) => p.output()),
      processes,
      startApp(...args) {
        const started = startApp(...args);
        processes.push(started);
        return started;
      },
      settled: () =>
        settle(
          {
            pendingJobs: () => pendingJobsIn(queues.map((q) => q.queue)),
            deliveries: () => sims.reduce((n, s) => n + s.deliveries.length, 0),
            deliveriesSettled: async () => {
              await Promise.all(sims.map((s) => s.deliveriesSettled()));
            },
          },
          { timeoutMs: 60_000 },
        ),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
