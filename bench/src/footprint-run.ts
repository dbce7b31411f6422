// Benchmark 9's measurement (footprint.bench.ts reports it): the same events through `so-events`
// with each variant's job options and consumer, on one redis-server or a Redis Cluster; used_memory
// before, half-way and at the end, and every key weighed by family.
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type JobsOptions } from 'bullmq';
import {
  closeRedis,
  createEventsQueue,
  DEFAULT_COMPLETED_EVENT_RETENTION,
  eventAddOptions,
  eventJobId,
  QUEUE_NAMES,
  type EventJobData,
  type WebhookEvent,
} from '@so-connector/queue';
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import { waitFor } from '@so-connector/testing';
import { stopChild } from './bench-common';
import { pending, startAndWait } from './bench-queue';
import type { Checkpoint } from './footprint-weigh';
import { clusterTarget, singleNodeTarget, type FootprintTarget } from './footprint-target';
import { fleetEnv, WORKER } from './worker-fleet';

export const WINDOW_SECONDS = 24 * 3600; // DEDUP_WINDOW_SECONDS' default
const CHUNK = 500;
const TENANT = 'Cust12345';
const OWN_ASSOCIATE = 42; // the simulator's API user: every event is an echo, skipped by the worker

/**
 * Job options × consumer × Redis: a no-op BullMQ worker, or the built apps/worker (skip path), on
 * one redis-server; and the built worker on a Redis Cluster of 3 masters.
 */
export type Variant = 'before' | 'now' | 'now-worker' | 'now-worker-cluster';

/** The `so-events` options before issue 13: the body of every completed job kept for the window. */
function optionsBefore(event: WebhookEvent): JobsOptions {
  return {
    jobId: eventJobId(event),
    removeOnComplete: { age: WINDOW_SECONDS },
    removeOnFail: { age: 7 * 24 * 3600 },
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
  };
}

const optionsNow = (event: WebhookEvent): JobsOptions =>
  eventAddOptions(event, WINDOW_SECONDS, DEFAULT_COMPLETED_EVENT_RETENTION);
const OPTIONS: Record<Variant, (event: WebhookEvent) => JobsOptions> = {
  before: optionsBefore,
  now: optionsNow,
  'now-worker': optionsNow,
  'now-worker-cluster': optionsNow,
};

/** A `contact.changed` webhook as SuperOffice sends it, with the FieldValues newer tenants add. */
function anEvent(i: number): WebhookEvent {
  return {
    EventId: randomUUID(),
    Timestamp: new Date().toISOString(),
    Changes: ['contact_id', 'updated_associate_id', 'updated', 'name'],
    Event: 'contact.changed',
    PrimaryKey: 1 + (i % 10_000),
    Entity: 'contact',
    ContextIdentifier: TENANT,
    ChangedByAssociateId: OWN_ASSOCIATE,
    WebhookName: 'so-connector',
    FieldValues: { associate_id: 12, business_idx: 2, category_idx: 4, country_id: 578 },
  };
}

/** Adds `events` as the receiver does (one add each, its options) and waits until all have run. */
async function addAndComplete(
  queue: Queue<EventJobData>,
  events: readonly WebhookEvent[],
  options: (event: WebhookEvent) => JobsOptions,
): Promise<void> {
  const receivedAt = new Date().toISOString();
  for (let i = 0; i < events.length; i += CHUNK) {
    await Promise.all(
      events
        .slice(i, i + CHUNK)
        .map((event) =>
          queue.add(
            event.Event,
            { tenant: TENANT, receivedAt, deliveryRetry: 0, spooled: false, event },
            options(event),
          ),
        ),
    );
  }
  await waitFor(async () => (await pending([queue])) === 0, {
    timeoutMs: 300_000,
    intervalMs: 50,
    what: 'every job run',
  });
  const failed = await queue.getFailedCount();
  if (failed > 0) throw new Error(`${failed} jobs failed`);
}

/** The consumer of a variant, started before the first measurement; `stop` ends it. */
async function startConsumer(
  target: FootprintTarget,
  variant: Variant,
  sim: RunningSimulator,
): Promise<{ stop(): Promise<void> }> {
  if (variant === 'now-worker' || variant === 'now-worker-cluster') {
    const env = fleetEnv('', target.prefix, sim, {
      SO_OWN_ASSOCIATE_ID: String(OWN_ASSOCIATE),
      ...target.env,
    });
    if (!target.env.REDIS_URL) delete env.REDIS_URL;
    const proc = await startAndWait(WORKER, env);
    return { stop: () => stopChild(proc.child) };
  }
  const connection = target.connect();
  const worker = new Worker(QUEUE_NAMES.events, () => Promise.resolve({ outcome: 'noop' }), {
    connection,
    prefix: target.prefix,
    concurrency: 50,
  });
  await worker.waitUntilReady();
  return {
    async stop() {
      await worker.close();
      await closeRedis(connection);
    },
  };
}

async function measure(
  target: FootprintTarget,
  variant: Variant,
  sim: RunningSimulator,
  count: number,
): Promise<Checkpoint[]> {
  await target.flush();
  const producer = target.connect();
  // Before: BullMQ's defaults (an events stream of 10,000 entries); now: the queue as the receiver
  // makes it (its events stream capped at JOB_EVENTS_STREAM_MAX_LEN).
  const queue =
    variant === 'before'
      ? new Queue<EventJobData>(QUEUE_NAMES.events, { connection: producer, prefix: target.prefix })
      : createEventsQueue(producer, target.prefix);
  const consumer = await startConsumer(target, variant, sim);
  try {
    await queue.waitUntilReady();
    const base = await target.usedMemory();
    const events = Array.from({ length: count }, (_, i) => anEvent(i));
    const checkpoints: Checkpoint[] = [];
    for (const upTo of [count / 2, count]) {
      const from = checkpoints.length === 0 ? 0 : count / 2;
      await addAndComplete(queue, events.slice(from, upTo), OPTIONS[variant]);
      const usedBytes = (await target.usedMemory()) - base;
      checkpoints.push({ events: upTo, usedBytes, families: await target.weigh() });
      process.stdout.write(
        `[footprint] ${variant.padEnd(10)} ${upTo} events: used_memory +${usedBytes} B = ${(usedBytes / upTo).toFixed(0)} B/event\n`,
      );
    }
    return checkpoints;
  } finally {
    await consumer.stop();
    await queue.close();
    await closeRedis(producer);
  }
}

export const VARIANTS = ['before', 'now', 'now-worker', 'now-worker-cluster'] as const;

/** Runs each variant on its Redis (one redis-server for the first three, then a Cluster). */
export async function measureAll(
  sim: RunningSimulator,
  count: number,
): Promise<Record<Variant, Checkpoint[]>> {
  const single = await singleNodeTarget();
  const results: Partial<Record<Variant, Checkpoint[]>> = {};
  try {
    for (const variant of VARIANTS.slice(0, 3))
      results[variant] = await measure(single, variant, sim, count);
  } finally {
    await single.dispose();
  }
  const cluster = await clusterTarget();
  try {
    results['now-worker-cluster'] = await measure(cluster, 'now-worker-cluster', sim, count);
  } finally {
    await cluster.dispose();
  }
  return results as Record<Variant, Checkpoint[]>;
}
