import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { loadWorkerConfig } from '@so-connector/config';
import { createLogger } from '@so-connector/logger';
import {
  createEnrichQueue,
  createEventsQueue,
  QUEUE_NAMES,
  tenantKeyPrefix,
  type EnrichJobData,
  type EventJobData,
} from '@so-connector/queue';
import { ActivityCounters } from '@so-connector/sync-runs';
import {
  aWebhookEvent,
  TEST_TENANT,
  useTestRedis,
  waitFor,
  type TestRedis,
} from '@so-connector/testing';
import { SeenChanges } from '../src/maintenance/seen-changes';
import { createWorkerMetrics } from '../src/metrics';
import type { EnrichOutcome, EventOutcome } from '../src/outcomes';
import { createQueueWorkers } from '../src/queue-workers';

const logger = createLogger({
  component: 'worker',
  level: 'error',
  format: 'json',
  destination: new PassThrough(),
});

/**
 * A processor that holds every job until released, and tells how many it held at once at most.
 */
function gate<R>(outcome: R) {
  let inFlight = 0;
  let most = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    processor: async (): Promise<R> => {
      inFlight++;
      most = Math.max(most, inFlight);
      await opened;
      inFlight--;
      return outcome;
    },
    inFlight: () => inFlight,
    most: () => most,
    open,
  };
}

describe('createQueueWorkers (real Redis)', () => {
  let redis: TestRedis;
  beforeEach(async () => {
    redis = await useTestRedis();
  });
  afterEach(async () => {
    await redis.cleanup();
  });

  it('runs EVENTS_CONCURRENCY so-events jobs at once and WORKER_CONCURRENCY so-enrich jobs', async () => {
    const config = loadWorkerConfig({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      SO_CONTEXT_IDENTIFIER: TEST_TENANT,
      SO_CLIENT_ID: 'client',
      SO_CLIENT_SECRET: 'secret',
      SO_REFRESH_TOKEN: 'refresh',
      SO_UDF_VERTICAL: 'SuperOffice:83',
      WORKER_CONCURRENCY: '2',
      EVENTS_CONCURRENCY: '6',
    });
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const events = createEventsQueue(connection, redis.prefix);
    const enrich = createEnrichQueue(connection, redis.prefix);
    const eventsGate = gate<EventOutcome>({ outcome: 'skipped', reason: 'test', detail: 'held' });
    const enrichGate = gate<EnrichOutcome>({ outcome: 'skipped', reason: 'test', detail: 'held' });
    const sut = createQueueWorkers({
      config,
      connection,
      metrics: createWorkerMetrics(TEST_TENANT, { defaultMetrics: false }),
      activity: new ActivityCounters({
        redis: connection,
        prefix: tenantKeyPrefix(redis.prefix, 1),
      }),
      seen: new SeenChanges(connection, tenantKeyPrefix(redis.prefix, 1)),
      logger,
      eventsProcessor: eventsGate.processor,
      enrichProcessor: enrichGate.processor,
    });
    try {
      const receivedAt = new Date().toISOString();
      await events.addBulk(
        Array.from({ length: 10 }, () => ({
          name: QUEUE_NAMES.events,
          data: {
            tenant: TEST_TENANT,
            receivedAt,
            deliveryRetry: 0,
            spooled: false,
            event: aWebhookEvent(),
          } satisfies EventJobData,
        })),
      );
      await enrich.addBulk(
        Array.from({ length: 5 }, (_, i) => ({
          name: QUEUE_NAMES.enrich,
          data: {
            tenant: TEST_TENANT,
            entity: 'contact',
            recordId: i + 1,
            firstEventAt: receivedAt,
            lastEventId: `event-${i}`,
          } satisfies EnrichJobData,
        })),
      );
      await waitFor(() => eventsGate.inFlight() === 6 && enrichGate.inFlight() === 2, {
        timeoutMs: 10_000,
        what: 'each stage full',
      });
      // Full, and no further job taken while the held ones run.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect([eventsGate.most(), enrichGate.most()]).toEqual([6, 2]);
      eventsGate.open();
      enrichGate.open();
      await waitFor(
        async () =>
          (await events.getCompletedCount()) === 10 && (await enrich.getCompletedCount()) === 5,
        { timeoutMs: 10_000, what: 'every job completed' },
      );
    } finally {
      eventsGate.open();
      enrichGate.open();
      await Promise.all([...sut.events, ...sut.enrich].map((worker) => worker.close()));
      await events.close();
      await enrich.close();
      connection.disconnect();
    }
  });
});
