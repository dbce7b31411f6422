import { QueueEvents, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createMaintenanceQueue, type MaintenanceJobData } from '@so-connector/queue';
import { useTestRedis, type TestRedis } from '@so-connector/testing';
import { startWorkerForTest, type WorkerUnderTest } from './worker-harness';

/** The simulator's human associate (not the connector's API user). */
export const HUMAN = 5;
export const TENANT = 'Cust12345';

/** A worker under test, its own Redis, and the so-maintenance queue, per test. */
export interface MaintenanceFixture {
  readonly redis: TestRedis;
  readonly sut: WorkerUnderTest;
  readonly connection: Redis;
  readonly maintenance: Queue<MaintenanceJobData>;
  /** Starts the worker (with `env` on top of the harness's) and the maintenance queue. */
  start(env?: Record<string, string>): Promise<void>;
  /** Adds a maintenance job, as the scheduler or the CLI would, and waits for its result. */
  runMaintenance<T>(name: string, data?: Partial<MaintenanceJobData>): Promise<T>;
  /** The state of the one webhook the harness registers. */
  webhookState(): string | undefined;
}

/** Registers beforeEach/afterEach: a fresh Redis per test, everything closed after it. */
export function useMaintenanceWorker(): MaintenanceFixture {
  let redis: TestRedis;
  let sut: WorkerUnderTest | undefined;
  let connection: Redis | undefined;
  let maintenance: Queue<MaintenanceJobData> | undefined;
  let maintenanceEvents: QueueEvents | undefined;
  let eventsConnection: Redis | undefined;
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what}: call start() first`);
    return value;
  };

  beforeEach(async () => {
    redis = await useTestRedis();
  });
  afterEach(async () => {
    await maintenanceEvents?.close();
    await sut?.close();
    await maintenance?.obliterate({ force: true }).catch(() => undefined);
    await maintenance?.close();
    connection?.disconnect();
    eventsConnection?.disconnect();
    await redis.cleanup();
    sut = undefined;
    connection = undefined;
    maintenance = undefined;
    maintenanceEvents = undefined;
    eventsConnection = undefined;
  });

  return {
    get redis() {
      return redis;
    },
    get sut() {
      return started(sut, 'the worker');
    },
    get connection() {
      return started(connection, 'the connection');
    },
    get maintenance() {
      return started(maintenance, 'the maintenance queue');
    },
    async start(env = {}) {
      sut = await startWorkerForTest({ redisUrl: redis.url, prefix: redis.prefix, env });
      connection = new Redis(redis.url, { maxRetriesPerRequest: null });
      maintenance = createMaintenanceQueue(connection, redis.prefix);
      eventsConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
      maintenanceEvents = new QueueEvents(maintenance.name, {
        connection: eventsConnection,
        prefix: redis.prefix,
      });
      await maintenanceEvents.waitUntilReady();
    },
    async runMaintenance<T>(name: string, data: Partial<MaintenanceJobData> = {}): Promise<T> {
      const job = await started(maintenance, 'the maintenance queue').add(name, {
        tenant: TENANT,
        ...data,
      });
      return (await job.waitUntilFinished(
        started(maintenanceEvents, 'the maintenance events'),
        20_000,
      )) as T;
    },
    webhookState: () => started(sut, 'the worker').sim.webhooks()[0]?.State,
  };
}
