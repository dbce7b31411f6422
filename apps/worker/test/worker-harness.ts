import { PassThrough } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadWorkerConfig } from '@so-connector/config';
import { createLogger } from '@so-connector/logger';
import {
  createEventsQueue,
  QUEUE_NAMES,
  type EnrichJobData,
  type EventJobData,
} from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { SyncRunStore } from '@so-connector/sync-runs';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  pendingJobsIn,
  settle,
  enrichingWorkerEnv,
  SIMULATED_UDF,
  useTestRedis,
  type TestRedis,
} from '@so-connector/testing';
import { startWorker, type RunningWorker, type StartWorkerOptions } from '../src/start-worker';
import { moveTenantToFile } from './file-tenant-env';
import { startForwarder } from './forwarder';
import { startPatchFaultProxy, type PatchFaultProxy } from './patch-fault-proxy';

export const UDF = SIMULATED_UDF;

export interface WorkerUnderTest {
  readonly sim: RunningSimulator;
  readonly worker: RunningWorker;
  readonly runs: SyncRunStore;
  readonly events: Queue<EventJobData>;
  readonly enrich: Queue<EnrichJobData>;
  /** The PATCH-failing proxy between worker and simulator, when asked for (`patchFaults`). */
  readonly proxy: PatchFaultProxy | undefined;
  /** The worker's log lines so far, parsed (JSON format, at `logLevel`). */
  logs(): Record<string, unknown>[];
  /** Provider calls the worker made (its so_worker_provider_calls_total). */
  providerCalls(): Promise<number>;
  /** Waits until every delivery, event and enrichment (incl. echoes) has been handled. */
  settled(): Promise<void>;
  /** While true, the webhook target answers 500 (SuperOffice retries, then drops the event). */
  failDeliveries(on: boolean): void;
  close(): Promise<void>;
}

export type WorkerTestOptions = Omit<
  Parameters<typeof startWorkerForTest>[0],
  'redisUrl' | 'prefix'
>;

/**
 * A fresh Redis prefix and worker under test for each test of the file (beforeEach), closed and
 * cleaned after it (afterEach). Read `.sut` and `.redis` inside the tests.
 */
export function useWorkerForEachTest(options: WorkerTestOptions = {}): {
  readonly sut: WorkerUnderTest;
  readonly redis: TestRedis;
} {
  let redis: TestRedis | undefined;
  let sut: WorkerUnderTest | undefined;
  beforeEach(async () => {
    redis = await useTestRedis();
    sut = await startWorkerForTest({ redisUrl: redis.url, prefix: redis.prefix, ...options });
  });
  afterEach(async () => {
    await sut?.close();
    await redis?.cleanup();
  });
  return {
    get sut() {
      if (!sut) throw new Error('the worker under test runs only inside a test');
      return sut;
    },
    get redis() {
      if (!redis) throw new Error('the test Redis exists only inside a test');
      return redis;
    },
  };
}

/**
 * Real parts: the simulator over HTTP, real Redis, the worker in-process. Between SuperOffice and
 * the queue stands a minimal forwarder (forwarder.ts) that does what the receiver does with a valid
 * delivery.
 */
export async function startWorkerForTest(options: {
  redisUrl: string;
  prefix: string;
  env?: Record<string, string>;
  /** Put a proxy that can fail PATCHes between the worker and the simulator. */
  patchFaults?: boolean;
  /**
   * Serve the simulated tenant from a TENANTS_FILE, with no SO_CONTEXT_IDENTIFIER (nor its
   * refresh token, API URL or UDF keys) in the environment.
   */
  tenantsFile?: boolean;
  /** Level of the captured log (default warn). */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  worker?: StartWorkerOptions;
}): Promise<WorkerUnderTest> {
  const sim = await startSimulator({ retryScale: 0.01 });
  const proxy = options.patchFaults ? await startPatchFaultProxy(sim.apiBaseUrl()) : undefined;
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const events = createEventsQueue(connection, options.prefix);
  const enrich = new Queue<EnrichJobData>(QUEUE_NAMES.enrich, {
    connection,
    prefix: options.prefix,
  });
  const forwarder = await startForwarder(events);
  const forwarderUrl = forwarder.url;
  await sim.registerWebhook({
    targetUrl: forwarderUrl,
    secret: 'forwarder-secret',
    events: CONNECTOR_WEBHOOK_EVENTS,
  });

  const tenantEnv = {
    ...enrichingWorkerEnv(sim),
    ...(proxy ? { SO_API_BASE_URL: proxy.apiBaseUrl } : {}),
  };
  const fileTenant = options.tenantsFile ? moveTenantToFile(tenantEnv) : undefined;
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));
  const logger = createLogger({
    component: 'worker',
    level: options.logLevel ?? 'warn',
    format: 'json',
    destination: logStream,
  });
  // If the worker does not start, what is open so far is closed (jest runs in band: a leaked
  // server or connection would keep it from exiting).
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker(
      loadWorkerConfig({
        REDIS_URL: options.redisUrl,
        QUEUE_PREFIX: options.prefix,
        ...(fileTenant ? fileTenant.env : tenantEnv),
        WORKER_CONCURRENCY: '2',
        ENRICH_BACKOFF_MS: '50',
        METRICS_PORT: '0',
        // BullMQ runs an `every` scheduler's first job at once: tests that want them turn them on.
        WATCHDOG_INTERVAL_MS: '0',
        RECONCILE_INTERVAL_MS: '0',
        WEBHOOK_PUBLIC_URL: forwarderUrl,
        ...options.env,
      }),
      logger,
      options.worker,
    );
  } catch (error) {
    await sim.stop();
    await proxy?.close();
    await forwarder.close();
    await events.close();
    await enrich.close();
    connection.disconnect();
    fileTenant?.remove();
    throw error;
  }
  const runs = new SyncRunStore({ redis: connection, prefix: options.prefix });

  const busy = () => pendingJobsIn([events, enrich]);

  return {
    sim,
    worker,
    runs,
    events,
    enrich,
    proxy,
    logs: () =>
      logText
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async providerCalls() {
      const metric = worker.metrics.registry.getSingleMetric('so_worker_provider_calls_total');
      const values = metric ? (await metric.get()).values : [];
      return values.reduce((sum, v) => sum + v.value, 0);
    },
    failDeliveries: (on) => forwarder.failDeliveries(on),
    settled: () =>
      settle({
        pendingJobs: busy,
        deliveries: () => sim.deliveries.length,
        deliveriesSettled: () => sim.deliveriesSettled(),
      }),
    async close() {
      await worker.shutdown.shutdown('test end');
      await sim.stop();
      await proxy?.close();
      await forwarder.close();
      await events.obliterate({ force: true }).catch(() => undefined);
      await enrich.obliterate({ force: true }).catch(() => undefined);
      await events.close();
      await enrich.close();
      connection.disconnect();
      fileTenant?.remove();
    },
  };
}
