import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis, type Cluster } from 'ioredis';
import { QUEUE_NAMES, scanKeys } from '@so-connector/queue';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '@so-connector/superoffice-simulator';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  freePort,
  pendingJobsIn,
  settle,
  enrichingWorkerEnv,
  SIMULATED_UDF,
  useTestRedis,
  waitFor,
  type TestRedis,
} from '@so-connector/testing';
import { startApp, type ProductProcess } from './processes';

export const SECRET = 'e2e-webhook-secret-0123456789';
export const UDF = SIMULATED_UDF;

export interface RunningSystem {
  readonly redis: TestRedis;
  readonly sim: RunningSimulator;
  /** `http://127.0.0.1:{port}` of the receiver (the same after `startReceiver()`). */
  readonly receiverUrl: string;
  /** The receiver process running now (a new one after `startReceiver()`). */
  readonly receiver: ProductProcess;
  /** The receiver's disk spool (kept across receiver restarts). */
  readonly spoolDir: string;
  /** `so-events`, for tests that look at event jobs. */
  readonly events: Queue;
  readonly workers: ProductProcess[];
  /** `so-enrich`, for tests that wait on a job's state. */
  readonly enrich: Queue;
  /** Writes the connector's API user actually made (a PATCH refused by its test is not one). */
  writes(): number;
  /** The keys matching `match` in the Redis under test (every master of a Cluster that may hold them). */
  keys(match: string): Promise<string[]>;
  /** The harness's own connection to the Redis under test (a Cluster or Sentinel client there). */
  readonly connection: Redis | Cluster;
  startWorker(extra?: Record<string, string>): Promise<ProductProcess>;
  /** The environment `startWorker` starts a worker with, for tests that start their own. */
  workerEnv(extra?: Record<string, string>): Record<string, string>;
  /** SIGKILLs the receiver, as a crash would. */
  killReceiver(): Promise<void>;
  /** Starts the receiver again on the same port, Redis and spool directory. */
  startReceiver(): Promise<ProductProcess>;
  /** Waits until deliveries, events and enrichments (incl. echoes) are all handled. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Registers the connector's webhook (signed with SECRET) at `targetUrl`; returns the count of
 * writes the connector's API user has made since (a PATCH refused by its test is not one).
 */
export async function registerWebhook(
  sim: RunningSimulator,
  targetUrl: string,
): Promise<() => number> {
  const registered = await sim.registerWebhook({
    targetUrl,
    secret: SECRET,
    events: CONNECTOR_WEBHOOK_EVENTS,
  });
  if (registered !== 200) throw new Error(`webhook registration failed: ${registered}`);
  let writes = 0;
  sim.state.on('change', (change) => {
    if (change.changedByAssociateId === sim.state.apiUser.associateId) writes++;
  });
  return () => writes;
}

/**
 * The whole product as it runs in production: the built receiver and worker processes, real
 * Redis, and the simulator as SuperOffice (webhook registered with a secret, signed deliveries).
 */
export async function startSystem(
  options: {
    workers?: number;
    workerEnv?: Record<string, string>;
    /** Use this Redis (e.g. a `startRedisServer()` the test kills) instead of `useTestRedis()`. */
    redisUrl?: string;
    /** Simulator options on top of the default `retryScale: 0.01`. */
    simulator?: SimulatorOptions;
    /** Added to the receiver's environment (e.g. TENANTS_FILE, ADMIN_USER). */
    receiverEnv?: Record<string, string>;
    /** Redis variables the receiver and the workers get besides REDIS_URL (e.g. REDIS_SENTINELS). */
    redisEnv?: Record<string, string>;
    /** The harness's own connection to that Redis (default: REDIS_URL), e.g. through the Sentinels. */
    connect?: () => Redis | Cluster;
    /** QUEUE_PREFIX with `redisUrl` (default: a random `test-…`); a Cluster needs a hash tag. */
    queuePrefix?: string;
  } = {},
): Promise<RunningSystem> {
  const redis: TestRedis =
    options.redisUrl === undefined
      ? await useTestRedis()
      : {
          url: options.redisUrl,
          prefix: options.queuePrefix ?? `test-${randomBytes(5).toString('hex')}`,
          cleanup: () => Promise.resolve(),
        };
  // What start-up has made so far, undone if a later step fails: a half-started system left
  // running (a receiver, a Redis client) would keep jest, which runs in band, from ever exiting.
  const undo: Array<() => unknown> = [() => redis.cleanup()];
  const undoAll = async () => {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    return await assemble();
  } catch (error) {
    await undoAll();
    throw error;
  }

  async function assemble(): Promise<RunningSystem> {
    const sim = await startSimulator({ retryScale: 0.01, ...options.simulator });
    undo.push(() => sim.stop());
    const spoolDir = mkdtempSync(join(tmpdir(), 'so-e2e-spool-'));
    undo.push(() => rmSync(spoolDir, { recursive: true, force: true }));
    const port = await freePort();
    const launchReceiver = async () => {
      const started = startApp('receiver', {
        PORT: String(port),
        REDIS_URL: redis.url,
        ...options.redisEnv,
        QUEUE_PREFIX: redis.prefix,
        SO_CONTEXT_IDENTIFIER: 'Cust12345',
        WEBHOOK_SECRET: SECRET,
        SPOOL_DIR: spoolDir,
        ...options.receiverEnv,
      });
      undo.push(() => started.kill());
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
        timeoutMs: 15_000,
        what: 'the receiver',
      });
      return started;
    };
    let receiver = await launchReceiver();
    const writes = await registerWebhook(sim, `http://127.0.0.1:${port}/webhooks/superoffice`);

    const connection = options.connect
      ? options.connect()
      : new Redis(redis.url, { maxRetriesPerRequest: null });
    const events = new Queue(QUEUE_NAMES.events, { connection, prefix: redis.prefix });
    const enrich = new Queue(QUEUE_NAMES.enrich, { connection, prefix: redis.prefix });
    undo.push(
      () => connection.disconnect(),
      () => events.close(),
      () => enrich.close(),
    );
    // Events the receiver spooled (answered 200, not yet in Redis) are pending too: the system has
    // not settled while the spool drainer still holds them (after a failover it waits for a replica).
    const busy = async () => (await pendingJobsIn([events, enrich])) + spooledEvents(spoolDir);

    const workers: ProductProcess[] = [];
    const system: RunningSystem = {
      redis,
      sim,
      receiverUrl: `http://127.0.0.1:${port}`,
      get receiver() {
        return receiver;
      },
      spoolDir,
      events,
      workers,
      enrich,
      writes,
      keys: (match) => scanKeys(connection, match),
      connection,
      async startWorker(extra = {}) {
        const worker = startApp('worker', system.workerEnv(extra));
        workers.push(worker);
        undo.push(() => worker.kill());
        // A worker that stops at start (a bad variable) fails this at once, with its last words.
        const exited = () => worker.child.exitCode !== null || worker.child.signalCode !== null;
        await waitFor(() => exited() || worker.output().includes('worker started'), {
          timeoutMs: 15_000,
          what: 'a worker',
        });
        if (exited())
          throw new Error(
            `a worker exited (${worker.child.exitCode ?? worker.child.signalCode}) at start:\n${worker.output().slice(-2000)}`,
          );
        return worker;
      },
      workerEnv: (extra = {}) => ({
        REDIS_URL: redis.url,
        ...options.redisEnv,
        QUEUE_PREFIX: redis.prefix,
        ...enrichingWorkerEnv(sim),
        ENRICH_BACKOFF_MS: '50',
        // Under injected faults a job may need many attempts; the waits stop growing at 2 s.
        ENRICH_BACKOFF_MAX_MS: '2000',
        // Several workers run at once; the scenarios that need the maintenance jobs turn them on.
        METRICS_PORT: '0',
        WATCHDOG_INTERVAL_MS: '0',
        RECONCILE_INTERVAL_MS: '0',
        ...options.workerEnv,
        ...extra,
      }),
      killReceiver: () => receiver.kill(),
      async startReceiver() {
        await receiver.kill();
        receiver = await launchReceiver();
        return receiver;
      },
      settled: () =>
        settle({
          pendingJobs: busy,
          deliveries: () => sim.deliveries.length,
          deliveriesSettled: () => sim.deliveriesSettled(),
        }),
      async stop() {
        await Promise.all([receiver, ...workers].map((p) => p.kill()));
        await events.close();
        await enrich.close();
        connection.disconnect();
        await sim.stop();
        await redis.cleanup();
        rmSync(spoolDir, { recursive: true, force: true });
      },
    };
    for (let i = 0; i < (options.workers ?? 1); i++) await system.startWorker();
    return system;
  }
}

/** Events in a receiver's spool directory (`*.json`, not the `.tmp` files being written). */
export function spooledEvents(spoolDir: string): number {
  try {
    return readdirSync(spoolDir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).length;
  } catch {
    return 0;
  }
}
