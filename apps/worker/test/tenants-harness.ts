import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { loadWorkerConfig } from '@so-connector/config';
import { createLogger } from '@so-connector/logger';
import {
  createEventsQueue,
  QUEUE_NAMES,
  type EnrichJobData,
  type EventJobData,
} from '@so-connector/queue';
import {
  loadSeed,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
  type TenantSeed,
} from '@so-connector/superoffice-simulator';
import { SyncRunStore } from '@so-connector/sync-runs';
import {
  TenantRegistry,
  TenantStore,
  tenantFromEnvironment,
  type TenantConfig,
} from '@so-connector/tenants';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  pendingJobsIn,
  settle,
  enrichingWorkerEnv,
  useTestRedis,
  waitFor,
  type TestRedis,
} from '@so-connector/testing';
import type { EventOutcome } from '../src/outcomes';
import { startWorker, type RunningWorker, type StartWorkerOptions } from '../src/start-worker';
import { startForwarder } from './forwarder';

/** The second tenant: its own ContextIdentifier, API user, refresh token and UDF ProgIds. */
export const B = {
  contextIdentifier: 'Cust2',
  apiUser: 77,
  refreshToken: 'rt-cust2',
  udf: {
    vertical: 'SuperOffice:201',
    summary: 'SuperOffice:202',
    opener: 'SuperOffice:203',
    personOpener: 'SuperOffice:211',
  },
} as const;

/** The demo tenant renamed, with another API user, Vertical list and UDF ProgIds. */
function secondSeed(): TenantSeed {
  const seed = loadSeed();
  return {
    ...seed,
    contextIdentifier: B.contextIdentifier,
    apiUser: { ...seed.apiUser, associateId: B.apiUser },
    verticalList: { ...seed.verticalList, name: 'udlist9' },
    contactUdfs: [
      { progId: B.udf.vertical, label: 'Branche', type: 'list', list: 'udlist9' },
      { progId: B.udf.summary, label: 'Sammendrag', type: 'text', textLength: 2000 },
      { progId: B.udf.opener, label: 'Åpning', type: 'text', textLength: 500 },
    ],
    personUdfs: [{ progId: B.udf.personOpener, label: 'Åpning', type: 'text', textLength: 500 }],
  };
}

/** Tenant B as the registry holds it (onboarded, in the Redis store). */
export function tenantB(
  sim: Pick<RunningSimulator, 'apiBaseUrl' | 'tokenUrl'>,
  overrides: Partial<TenantConfig> = {},
): TenantConfig {
  return {
    contextIdentifier: B.contextIdentifier,
    webhookSecrets: ['whsec-cust2'],
    webhookToken: undefined,
    credentials: { kind: 'refresh-token', refreshToken: B.refreshToken },
    environment: 'online',
    apiBaseUrl: sim.apiBaseUrl(),
    tokenUrl: sim.tokenUrl,
    udf: B.udf,
    ownerScope: [],
    ownAssociateId: undefined,
    budget: { providerCallsPerHour: undefined, superofficeCallsPerMinute: undefined },
    provider: { provider: 'builtin' },
    ...overrides,
  };
}

export interface TwoTenants {
  /** The environment tenant (Cust12345, SO_* variables). */
  readonly simA: RunningSimulator;
  /** The onboarded tenant (Cust2, in the Redis store). */
  readonly simB: RunningSimulator;
  readonly store: TenantStore;
  readonly registry: TenantRegistry;
  readonly worker: RunningWorker;
  readonly runs: SyncRunStore;
  readonly events: Queue<EventJobData>;
  readonly enrich: Queue<EnrichJobData>;
  logs(): Record<string, unknown>[];
  /** While true, the shared webhook target answers 500. */
  failDeliveries(on: boolean): void;
  /** Waits until the registry shows the store's latest change for B (`undefined` = removed). */
  registryHasB(present: boolean): Promise<void>;
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One worker process serving two simulated tenants: A from the environment, B from the Redis
 * store (polled every 50 ms). Both simulators deliver to one forwarder; real Redis.
 */
export async function startTwoTenants(
  redis: TestRedis,
  options: {
    worker?: Omit<StartWorkerOptions, 'tenants'>;
    b?: Partial<TenantConfig>;
    /** Tenant B's simulator settings beyond its seed and refresh token (e.g. system-user). */
    simB?: Partial<SimulatorOptions>;
    env?: Record<string, string>;
  } = {},
): Promise<TwoTenants> {
  const simA = await startSimulator({ retryScale: 0.01 });
  const simB = await startSimulator({
    retryScale: 0.01,
    seed: secondSeed(),
    client: { refreshToken: B.refreshToken },
    ...options.simB,
  });
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const events = createEventsQueue(connection, redis.prefix);
  const enrich = new Queue<EnrichJobData>(QUEUE_NAMES.enrich, { connection, prefix: redis.prefix });
  const forwarder = await startForwarder(events);
  // As onboarding registers them: each tenant's webhook on its own route under the public URL.
  const publicUrl = `${forwarder.url}webhooks/superoffice`;
  for (const sim of [simA, simB])
    await sim.registerWebhook({
      targetUrl: `${publicUrl}/${sim.state.contextIdentifier}`,
      secret: 'forwarder-secret',
      events: CONNECTOR_WEBHOOK_EVENTS,
    });

  const config = loadWorkerConfig({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    ...enrichingWorkerEnv(simA),
    WORKER_CONCURRENCY: '2',
    ENRICH_BACKOFF_MS: '50',
    METRICS_PORT: '0',
    WATCHDOG_INTERVAL_MS: '0',
    RECONCILE_INTERVAL_MS: '0',
    WEBHOOK_PUBLIC_URL: publicUrl,
    ...options.env,
  });
  const store = new TenantStore({
    redis: connection,
    prefix: redis.prefix,
    secretsKey: randomBytes(32),
  });
  await store.put(tenantB(simB, options.b));
  const registry = await TenantRegistry.create({
    environment: tenantFromEnvironment(config),
    store: { store, pollIntervalMs: 50 },
  });
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString('utf8')));
  const logger = createLogger({
    component: 'worker',
    level: 'info',
    format: 'json',
    destination: logStream,
  });
  const worker = await startWorker(config, logger, { ...options.worker, tenants: registry });

  return {
    simA,
    simB,
    store,
    registry,
    worker,
    runs: new SyncRunStore({ redis: connection, prefix: redis.prefix }),
    events,
    enrich,
    logs: () =>
      logText
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    failDeliveries: (on) => forwarder.failDeliveries(on),
    registryHasB: async (present) => {
      await waitFor(() => (registry.get(B.contextIdentifier) !== undefined) === present, {
        what: `the registry to ${present ? 'add' : 'drop'} ${B.contextIdentifier}`,
      });
    },
    settled: () =>
      settle({
        pendingJobs: () => pendingJobsIn([events, enrich]),
        deliveries: () => simA.deliveries.length + simB.deliveries.length,
        deliveriesSettled: async () => {
          await Promise.all([simA.deliveriesSettled(), simB.deliveriesSettled()]);
        },
      }),
    async close() {
      await worker.shutdown.shutdown('test end');
      await registry.close();
      await Promise.all([simA.stop(), simB.stop()]);
      await forwarder.close();
      await events.obliterate({ force: true }).catch(() => undefined);
      await enrich.obliterate({ force: true }).catch(() => undefined);
      await events.close();
      await enrich.close();
      connection.disconnect();
    },
  };
}

/** A contact's UDF values in the simulator. */
export const udfsOf = (sim: TwoTenants['simA'], id: number) =>
  sim.state.get('contact', id)!.UserDefinedFields as Record<string, string | undefined>;

/** Every so-events job of the tenant, finished or not, with its state. */
export async function eventJobsOf(t: TwoTenants, tenant: string) {
  const jobs = await t.events.getJobs(['completed', 'failed', 'delayed', 'waiting', 'active']);
  return Promise.all(
    jobs
      .filter((j) => j.data.tenant === tenant)
      .map(async (j: Job) => ({
        state: await j.getState(),
        outcome: j.returnvalue as EventOutcome | undefined,
        failedReason: j.failedReason,
        attemptsMade: j.attemptsMade,
      })),
  );
}

/** SuperOffice calls counted for the tenant in the worker's metrics. */
export async function soCalls(t: TwoTenants, tenant: string): Promise<number> {
  const metric = t.worker.metrics.registry.getSingleMetric('so_worker_superoffice_calls_total');
  const values = metric ? (await metric.get()).values : [];
  return values.filter((v) => v.labels.tenant === tenant).reduce((sum, v) => sum + v.value, 0);
}

/**
 * Per-test set-up of the two-tenant tests: an isolated Redis before each test, and after it the
 * system stopped and Redis cleaned. `start` starts the system on this test's Redis.
 */
export function useTwoTenants(): {
  readonly redis: () => TestRedis;
  readonly start: (options?: Parameters<typeof startTwoTenants>[1]) => Promise<TwoTenants>;
} {
  let redis: TestRedis | undefined;
  let sut: TwoTenants | undefined;
  beforeEach(async () => {
    redis = await useTestRedis();
  });
  afterEach(async () => {
    await sut?.close();
    sut = undefined;
    await redis?.cleanup();
  });
  const current = () => {
    if (!redis) throw new Error('useTwoTenants: only inside a test');
    return redis;
  };
  return {
    redis: current,
    start: async (options) => (sut = await startTwoTenants(current(), options)),
  };
}
