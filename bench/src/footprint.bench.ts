// Benchmark 9: Redis bytes held per accepted event over the EventId dedup window (issue 13 §3).
// The same events go through `so-events` twice on a private redis-server, each time from a flushed
// Redis: with the job options used before issue 13 (every completed job body kept for the whole
// window, jobId = EventId the only dedup) and with today's (`eventAddOptions`: a dedup marker for
// the window, bodies kept for the recent window only). A no-op BullMQ worker completes every job;
// `used_memory` (INFO memory) is read before, half-way and at the end, and every key is weighed
// with MEMORY USAGE by family. A third pass runs the built apps/worker instead of the no-op: its
// skip path adds a sync-run fact per event and the activity counters (now-worker).
import { randomUUID } from 'node:crypto';
import { Queue, Worker, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import {
  createRedisConnection,
  DEFAULT_COMPLETED_EVENT_RETENTION,
  eventAddOptions,
  eventJobId,
  QUEUE_NAMES,
  type EventJobData,
  type WebhookEvent,
} from '@so-connector/queue';
import { startSimulator } from '@so-connector/superoffice-simulator';
import { waitFor } from '@so-connector/testing';
import { parseArgs, ratio, runMain, startRedis, stopChild, writeSection } from './bench-common';
import { pending, startAndWait } from './bench-queue';
import { usedMemory, weigh, type Checkpoint } from './footprint-weigh';
import { fleetEnv, WORKER } from './worker-fleet';

const { quick, out } = parseArgs();
const EVENTS = quick ? 4000 : 20_000;
const WINDOW_SECONDS = 24 * 3600; // DEDUP_WINDOW_SECONDS' default
const CHUNK = 500;
const TENANT = 'Cust12345';
const PREFIX = 'so';

/** Issue 13 §3: Redis bytes per accepted event held over the window, the worker's facts included. */
const GOAL_BYTES = 600;
const OWN_ASSOCIATE = 42; // the simulator's API user: every event is an echo, skipped by the worker

/** Job options × consumer: a no-op BullMQ worker, or the built apps/worker (skip path). */
type Variant = 'before' | 'now' | 'now-worker';

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
  url: string,
  variant: Variant,
  sim: Awaited<ReturnType<typeof startSimulator>>,
): Promise<{ stop(): Promise<void> }> {
  if (variant === 'now-worker') {
    const proc = await startAndWait(
      WORKER,
      fleetEnv(url, PREFIX, sim, { SO_OWN_ASSOCIATE_ID: String(OWN_ASSOCIATE) }),
    );
    return { stop: () => stopChild(proc.child) };
  }
  const connection = createRedisConnection(url, { role: 'worker' });
  const worker = new Worker(QUEUE_NAMES.events, () => Promise.resolve({ outcome: 'noop' }), {
    connection,
    prefix: PREFIX,
    concurrency: 50,
  });
  await worker.waitUntilReady();
  return {
    async stop() {
      await worker.close();
      connection.disconnect();
    },
  };
}

async function measure(
  url: string,
  variant: Variant,
  sim: Awaited<ReturnType<typeof startSimulator>>,
): Promise<Checkpoint[]> {
  const admin = new Redis(url, { maxRetriesPerRequest: null });
  await admin.flushall();
  const producer = createRedisConnection(url, { role: 'producer' });
  const queue = new Queue<EventJobData>(QUEUE_NAMES.events, {
    connection: producer,
    prefix: PREFIX,
  });
  const consumer = await startConsumer(url, variant, sim);
  try {
    await queue.waitUntilReady();
    const base = await usedMemory(admin);
    const events = Array.from({ length: EVENTS }, (_, i) => anEvent(i));
    const checkpoints: Checkpoint[] = [];
    for (const upTo of [EVENTS / 2, EVENTS]) {
      const from = checkpoints.length === 0 ? 0 : EVENTS / 2;
      await addAndComplete(queue, events.slice(from, upTo), OPTIONS[variant]);
      const usedBytes = (await usedMemory(admin)) - base;
      checkpoints.push({ events: upTo, usedBytes, families: await weigh(admin, PREFIX) });
      process.stdout.write(
        `[footprint] ${variant.padEnd(10)} ${upTo} events: used_memory +${usedBytes} B = ${(usedBytes / upTo).toFixed(0)} B/event\n`,
      );
    }
    return checkpoints;
  } finally {
    await consumer.stop();
    await queue.close();
    producer.disconnect();
    admin.disconnect();
  }
}

const perEvent = (bytes: number, events: number) => Math.round(bytes / events);

function familyRows(variant: Variant, end: Checkpoint): string[] {
  const f = end.families;
  const row = (name: string, family: { keys: number; bytes: number }) =>
    `| ${variant} | ${name} | ${family.keys} | ${family.bytes} | ${family.keys > 0 ? Math.round(family.bytes / family.keys) : '–'} | ${perEvent(family.bytes, end.events)} |`;
  return [
    row('so-events job hashes', f.jobs),
    row('so-events dedup markers', f.markers),
    row('other so-events keys (completed set, events stream, meta)', f.other),
    ...(variant === 'now-worker'
      ? [
          row('sync-run facts (a sorted set per account, the tenant index)', f.runs),
          row('other keys outside so-events (activity counters, other queues)', f.outside),
        ]
      : []),
  ];
}

const average = (c: Checkpoint) => perEvent(c.usedBytes, c.events);
/**
 * Bytes the second half of the events added: what one more event in the window costs, without the
 * bounded parts (the kept bodies, the events stream BullMQ caps at ~10,000 entries).
 */
const marginal = ([half, end]: Checkpoint[]) =>
  perEvent(end!.usedBytes - half!.usedBytes, end!.events - half!.events);
const VARIANTS = ['before', 'now', 'now-worker'] as const;

async function main(): Promise<void> {
  const redis = await startRedis();
  const sim = await startSimulator();
  const results: Partial<Record<Variant, Checkpoint[]>> = {};
  try {
    for (const variant of VARIANTS) results[variant] = await measure(redis.url, variant, sim);
  } finally {
    await sim.stop();
    await redis.dispose();
  }
  const before = results.before!;
  const now = results.now!;
  const withWorker = results['now-worker']!;
  const [beforeEnd, nowEnd, workerEnd] = [before[1]!, now[1]!, withWorker[1]!];
  const keep = DEFAULT_COMPLETED_EVENT_RETENTION;
  const meets = Math.max(average(workerEnd), marginal(withWorker)) <= GOAL_BYTES;
  const headline = ratio(average(nowEnd), average(beforeEnd));
  const fixedKiB = Math.round((nowEnd.usedBytes - marginal(now) * nowEnd.events) / 1024);
  const line = (name: string, c: Checkpoint[], bold = false) => {
    const b = (text: string) => (bold ? `**${text}**` : text);
    return `| ${name} | ${average(c[0]!)} B | ${b(`${average(c[1]!)} B`)} | ${b(`${marginal(c)} B`)} |`;
  };
  const section = `## 9. Footprint: Redis bytes per accepted event over the dedup window

bench/src/footprint.bench.ts; on its own: \`pnpm bench --only footprint --merge\`.
${EVENTS.toLocaleString('en')} \`contact.changed\` events (with FieldValues, ~400 bytes of JSON each; 10,000 companies) are
added to \`so-events\` one add each, as the receiver adds them, on a private redis-server (AOF off,
flushed before each variant), and a consumer runs every one. \`used_memory\` (INFO memory) is read
once the consumer is up and before the first event, after half of them and at the end, all within
the ${WINDOW_SECONDS / 3600} h dedup window; then every key is weighed with \`MEMORY USAGE … SAMPLES 0\`.
- **before**: the options before issue 13: \`jobId\` = EventId, \`removeOnComplete: { age: DEDUP_WINDOW_SECONDS }\`
  (every completed job body kept for the window; the job is the dedup); a no-op BullMQ worker.
- **now**: \`eventAddOptions\` (packages/queue/src/event-dedup.ts): \`jobId\` = EventId, BullMQ
  \`deduplication: { id: EventId, ttl: window }\` (a marker key that lives for the window), and completed
  bodies kept for the recent window only (\`EVENTS_KEEP_COMPLETED_SECONDS\`=${keep.seconds},
  \`EVENTS_KEEP_COMPLETED_COUNT\`=${keep.count}: here the count binds); a no-op BullMQ worker.
- **now-worker**: the same options, run by \`apps/worker\` as built (every event an echo of its own
  write, so the skip path: a SKIPPED fact on the account's sync run and the activity counters).
  A fact is stored compactly (packages/sync-runs/src/fact-codec.ts: ~36 bytes for a skip instead
  of ~330 of JSON), so an account's sorted set stays a listpack (members ≤ 64 bytes, ≤ 128 of them;
  past that Redis turns it into a skiplist and a dict: ~1.2 KB for two facts of JSON); two events a
  company here, so the per-account key and the tenant index (10,000 accounts) weigh most.

| variant | used_memory per event, ${EVENTS / 2} events | per event, ${EVENTS} events | per further event (2nd half) |
|---|---|---|---|
${line('before', before)}
${line('now', now, true)}
| now ÷ before | | **${headline}** | ${ratio(marginal(now), marginal(before))} |
${line('now-worker (with sync-run facts)', withWorker)}

Goal (issue 13 §3): ≤ ${GOAL_BYTES} B per event with the worker's facts, at ${EVENTS} events and per further
event: **${meets ? 'meets' : 'MISSES'}**.

"Per further event" is what each event adds while the bounded parts stay put (at most
${keep.count} kept bodies, the events stream BullMQ caps at ~10,000 entries): the figure a busy tenant
converges to. The bounded part is about ${fixedKiB} KiB now, so the EventId dedup of a deployment
with E events in the window holds about E × ${marginal(now)} B + ${fixedKiB} KiB. A no-op's job body is smaller
than one the real worker completes (its outcome is the return value), which weighs on every event
before and only on the kept bodies now.

Keys at the end (${EVENTS} events), by family (MEMORY USAGE; it leaves out the expiry entry of a key
with a TTL, which used_memory counts):

| variant | family | keys | bytes | bytes per key | bytes per event |
|---|---|---|---|---|---|
${VARIANTS.flatMap((v) => familyRows(v, results[v]![1]!)).join('\n')}
`;
  writeSection(out, section, [
    '9. Footprint',
    'Redis bytes per accepted event over the 24 h dedup window, now ÷ before',
    `**${headline}**`,
    `${average(nowEnd)} B vs ${average(beforeEnd)} B per event at ${EVENTS} events, ${marginal(now)} B per further event; with the worker's sync-run facts ${average(workerEnd)} B (${marginal(withWorker)} B per further event; goal ≤ ${GOAL_BYTES} B: ${meets ? 'meets' : 'MISSES'})`,
  ]);
}

runMain('footprint', main);
