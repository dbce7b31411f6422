// Benchmark 9: Redis bytes held per accepted event over the EventId dedup window (issue 13 §3).
// The same events go through `so-events` twice on a private redis-server, each time from a flushed
// Redis: with the job options used before issue 13 (every completed job body kept for the whole
// window, jobId = EventId the only dedup) and with today's (`eventAddOptions`: a dedup marker for
// the window, bodies kept for the recent window only). A no-op BullMQ worker completes every job;
// `used_memory` (INFO memory) is read before, half-way and at the end, and every key is weighed
// with MEMORY USAGE by family. The sync-run facts the real worker writes are not in these figures.
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
import { waitFor } from '@so-connector/testing';
import { parseArgs, ratio, runMain, startRedis, writeSection } from './bench-common';

const { quick, out } = parseArgs();
const EVENTS = quick ? 4000 : 20_000;
const WINDOW_SECONDS = 24 * 3600; // DEDUP_WINDOW_SECONDS' default
const CHUNK = 500;
const TENANT = 'Cust12345';
const PREFIX = 'so';

type Variant = 'before' | 'now';

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

const OPTIONS: Record<Variant, (event: WebhookEvent) => JobsOptions> = {
  before: optionsBefore,
  now: (event) => eventAddOptions(event, WINDOW_SECONDS, DEFAULT_COMPLETED_EVENT_RETENTION),
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
    ChangedByAssociateId: 5,
    WebhookName: 'so-connector',
    FieldValues: { associate_id: 12, business_idx: 2, category_idx: 4, country_id: 578 },
  };
}

interface Families {
  /** Job hashes (`so:so-events:<EventId>`), completed or not. */
  readonly jobs: { keys: number; bytes: number };
  /** Dedup markers (`so:so-events:de:<EventId>`). */
  readonly markers: { keys: number; bytes: number };
  /** Every other key of the queue: the completed zset, the events stream, meta, id, metrics. */
  readonly other: { keys: number; bytes: number };
}

interface Checkpoint {
  readonly events: number;
  /** used_memory minus its value before the first event. */
  readonly usedBytes: number;
  readonly families: Families;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

/** Every key weighed with MEMORY USAGE (SAMPLES 0: every element of a stream or zset counted). */
async function weigh(redis: Redis): Promise<Families> {
  const families = {
    jobs: { keys: 0, bytes: 0 },
    markers: { keys: 0, bytes: 0 },
    other: { keys: 0, bytes: 0 },
  };
  const jobKey = new RegExp(`^${PREFIX}:${QUEUE_NAMES.events}:[0-9a-f-]{36}$`);
  const markerKey = `${PREFIX}:${QUEUE_NAMES.events}:de:`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const family = key.startsWith(markerKey)
        ? families.markers
        : jobKey.test(key)
          ? families.jobs
          : families.other;
      family.keys++;
      family.bytes += Number(sizes[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return families;
}

/** Adds `events` as the receiver does (one add each, its options) and waits for their completion. */
async function addAndComplete(
  queue: Queue<EventJobData>,
  events: readonly WebhookEvent[],
  options: (event: WebhookEvent) => JobsOptions,
  completed: () => number,
  target: number,
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
  await waitFor(() => completed() >= target, {
    timeoutMs: 300_000,
    intervalMs: 50,
    what: `${target} completed jobs`,
  });
}

async function measure(url: string, variant: Variant): Promise<Checkpoint[]> {
  const admin = new Redis(url, { maxRetriesPerRequest: null });
  await admin.flushall();
  const producer = createRedisConnection(url, { role: 'producer' });
  const consumer = createRedisConnection(url, { role: 'worker' });
  const queue = new Queue<EventJobData>(QUEUE_NAMES.events, {
    connection: producer,
    prefix: PREFIX,
  });
  let completed = 0;
  const worker = new Worker(QUEUE_NAMES.events, () => Promise.resolve({ outcome: 'noop' }), {
    connection: consumer,
    prefix: PREFIX,
    concurrency: 50,
  });
  worker.on('completed', () => completed++);
  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
    const base = await usedMemory(admin);
    const events = Array.from({ length: EVENTS }, (_, i) => anEvent(i));
    const checkpoints: Checkpoint[] = [];
    for (const upTo of [EVENTS / 2, EVENTS]) {
      const from = checkpoints.length === 0 ? 0 : EVENTS / 2;
      await addAndComplete(
        queue,
        events.slice(from, upTo),
        OPTIONS[variant],
        () => completed,
        upTo,
      );
      const usedBytes = (await usedMemory(admin)) - base;
      checkpoints.push({ events: upTo, usedBytes, families: await weigh(admin) });
      process.stdout.write(
        `[footprint] ${variant.padEnd(6)} ${upTo} events: used_memory +${usedBytes} B = ${(usedBytes / upTo).toFixed(0)} B/event\n`,
      );
    }
    return checkpoints;
  } finally {
    await worker.close();
    await queue.close();
    producer.disconnect();
    consumer.disconnect();
    admin.disconnect();
  }
}

const perEvent = (bytes: number, events: number) => Math.round(bytes / events);

function familyRows(variant: Variant, end: Checkpoint): string[] {
  const f = end.families;
  const row = (name: string, family: { keys: number; bytes: number }) =>
    `| ${variant} | ${name} | ${family.keys} | ${family.bytes} | ${family.keys > 0 ? Math.round(family.bytes / family.keys) : '–'} | ${perEvent(family.bytes, end.events)} |`;
  return [
    row('job hashes', f.jobs),
    row('dedup markers', f.markers),
    row('other queue keys (completed set, events stream, meta)', f.other),
  ];
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const results: Partial<Record<Variant, Checkpoint[]>> = {};
  try {
    for (const variant of ['before', 'now'] as const) {
      results[variant] = await measure(redis.url, variant);
    }
  } finally {
    await redis.dispose();
  }
  const [beforeHalf, beforeEnd] = results.before!;
  const [nowHalf, nowEnd] = results.now!;
  const average = (c: Checkpoint) => perEvent(c.usedBytes, c.events);
  // Bytes the second half of the events added: what one more event in the window costs, without
  // the bounded parts (the kept bodies, the events stream capped at 10,000 entries).
  const marginal = (half: Checkpoint, end: Checkpoint) =>
    perEvent(end.usedBytes - half.usedBytes, end.events - half.events);
  const keep = DEFAULT_COMPLETED_EVENT_RETENTION;
  const headline = ratio(average(nowEnd!), average(beforeEnd!));
  const section = `## 9. Footprint: Redis bytes per accepted event over the dedup window

bench/src/footprint.bench.ts; on its own: \`pnpm bench --only footprint --merge\`.
${EVENTS.toLocaleString('en')} \`contact.changed\` events (with FieldValues, ~400 bytes of JSON each) are
added to \`so-events\` one add each, as the receiver adds them, on a private redis-server (AOF off,
flushed before each variant), and a no-op BullMQ worker (concurrency 50) completes every one.
\`used_memory\` (INFO memory) is read before the first event, after half of them and at the end,
all within the ${WINDOW_SECONDS / 3600} h dedup window; then every key is weighed with \`MEMORY USAGE … SAMPLES 0\`.
- **before**: the options before issue 13: \`jobId\` = EventId, \`removeOnComplete: { age: DEDUP_WINDOW_SECONDS }\`
  (every completed job body kept for the window; the job is the dedup).
- **now**: \`eventAddOptions\` (packages/queue/src/event-dedup.ts): \`jobId\` = EventId, BullMQ
  \`deduplication: { id: EventId, ttl: window }\` (a marker key that lives for the window), and completed
  bodies kept for the recent window only (\`EVENTS_KEEP_COMPLETED_SECONDS\`=${keep.seconds},
  \`EVENTS_KEEP_COMPLETED_COUNT\`=${keep.count}: here the count binds).

Not included: the sync-run fact the real worker records for each event (packages/sync-runs, trimmed
by age and count separately). A completed body here holds the no-op's return value; the real worker's
outcome makes it larger (the ~2.7 KB issue 13 names), which changes every event before but only the
bounded part (the kept bodies) now.

| variant | used_memory per event, ${EVENTS / 2} events | per event, ${EVENTS} events | per further event (2nd half) |
|---|---|---|---|
| before | ${average(beforeHalf!)} B | ${average(beforeEnd!)} B | ${marginal(beforeHalf!, beforeEnd!)} B |
| now | ${average(nowHalf!)} B | **${average(nowEnd!)} B** | **${marginal(nowHalf!, nowEnd!)} B** |
| now ÷ before | | **${headline}** | ${ratio(marginal(nowHalf!, nowEnd!), marginal(beforeHalf!, beforeEnd!))} |

"Per further event" is what each event adds while the bounded parts stay put (at most
${keep.count} kept bodies, the events stream BullMQ caps at ~10,000 entries): the figure a busy tenant
converges to. The fixed part is about ${Math.round((nowEnd!.usedBytes - marginal(nowHalf!, nowEnd!) * nowEnd!.events) / 1024)} KiB now, so a deployment with E events a day holds
about E × ${marginal(nowHalf!, nowEnd!)} B + that for the EventId dedup.

Keys at the end (${EVENTS} events), by family (MEMORY USAGE; it leaves out the expiry entry of a marker,
which used_memory counts):

| variant | family | keys | bytes | bytes per key | bytes per event |
|---|---|---|---|---|---|
${[...familyRows('before', beforeEnd!), ...familyRows('now', nowEnd!)].join('\n')}
`;
  writeSection(out, section, [
    '9. Footprint',
    'Redis bytes per accepted event over the 24 h dedup window, now ÷ before',
    `**${headline}**`,
    `${average(nowEnd!)} B vs ${average(beforeEnd!)} B per event at ${EVENTS} events; ${marginal(nowHalf!, nowEnd!)} B per further event (sync-run facts not included)`,
  ]);
}

runMain('footprint', main);
