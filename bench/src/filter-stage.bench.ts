// Benchmark 2: events/s through the real `so-events` stage (the BUILT worker process: schema
// check, filter decision, sync-run fact + activity counters through the write-behind batcher,
// metrics) on the skip path — echoes
// of the connector's own writes and changes of irrelevant columns, so no enrichment is scheduled —
// against a no-op BullMQ worker at the same concurrency on the same queue setup, in the same run.
// Each measurement first drains an untimed warm-up through the fresh consumer process (a worker in
// production runs for days: its code is compiled by then), then pre-fills a paused `so-events`
// with N jobs, resumes it and times the drain.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { EVENTS_CONCURRENCY_DEFAULT } from '@so-connector/config';
import { createEnrichQueue, createEventsQueue, type WebhookEvent } from '@so-connector/queue';
import { startSimulator } from '@so-connector/superoffice-simulator';
import { superOfficeEnvFor } from '@so-connector/testing';
import {
  REPO_ROOT,
  mean,
  parseArgs,
  rssMiB,
  runMain,
  startRedis,
  stopChild,
  writeSection,
} from './bench-common';
import { addEvents, pending, startAndWait, timeDrain } from './bench-queue';
import { cpuSnapshot, perEvent, type CpuPerEvent } from './cpu-cost';

const { quick, out } = parseArgs();
const JOBS = quick ? 6000 : 20_000;
/** Untimed events each consumer process handles before the timed drain (JIT warm-up). */
const WARMUP = quick ? 2000 : 5000;
/** The warm-up's records (and accounts) are apart from the timed ones, so no marker is shared. */
const WARMUP_RECORDS = 100_000;
const ROUNDS = quick ? 1 : 3;
/**
 * so-events jobs at once on both sides: EVENTS_CONCURRENCY's default, or BENCH_EVENTS_CONCURRENCY
 * (to measure another setting; the section says which was used).
 */
const CONCURRENCY = Number(process.env.BENCH_EVENTS_CONCURRENCY || EVENTS_CONCURRENCY_DEFAULT);
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1)
  throw new Error(`BENCH_EVENTS_CONCURRENCY: expected a whole number >= 1`);
const TENANT = 'Cust12345';
const OWN_ASSOCIATE = 42; // the simulator's API user

type Kind = 'noop' | 'worker';
const SCRIPTS: Record<Kind, string> = {
  noop: join(__dirname, 'noop-worker.js'),
  worker: join(REPO_ROOT, 'apps', 'worker', 'dist', 'main.js'),
};

/**
 * Half echoes of the connector's own writes, half changes of columns the filter ignores, on 5,000
 * records from `firstRecord` on.
 */
function skipEvents(n: number, firstRecord = 1): WebhookEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const echo = i % 2 === 0;
    const record = firstRecord + (i % 5000);
    return {
      EventId: randomUUID(),
      Timestamp: new Date().toISOString(),
      Changes: echo
        ? ['userdef_id', 'updated', 'updated_associate_id']
        : ['updated', 'updated_associate_id', 'department'],
      Event: 'contact.changed',
      PrimaryKey: record,
      Entity: 'contact',
      ContextIdentifier: TENANT,
      ChangedByAssociateId: echo ? OWN_ASSOCIATE : 5,
      WebhookName: 'bench',
      // As SuperOffice sends them: `updated` makes each skip mark its record's change seen too.
      FieldValues: {
        associate_id: 5,
        contact_id: record,
        updated: new Date(Date.UTC(2026, 10, 30, 10) + i * 1000).toISOString().slice(0, 19),
      },
    };
  });
}

interface Measurement {
  readonly kind: Kind;
  readonly round: number;
  readonly ms: number;
  readonly eventsPerS: number;
  readonly failed: number;
  readonly enrichJobs: number;
  readonly rssMiB: number;
  readonly cpu: CpuPerEvent;
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const sim = await startSimulator();
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const all: Measurement[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Kind[] = round % 2 === 1 ? ['noop', 'worker'] : ['worker', 'noop'];
      for (const kind of order) {
        await connection.flushall();
        const prefix = `bench-filter-${kind}-${round}`;
        // As the receiver makes them, so both consumers append to the same capped events stream.
        const events = createEventsQueue(connection, prefix);
        const enrich = createEnrichQueue(connection, prefix);
        const proc = await startAndWait(SCRIPTS[kind], {
          NODE_ENV: 'production',
          LOG_LEVEL: 'info',
          REDIS_URL: redis.url,
          QUEUE_PREFIX: prefix,
          EVENTS_CONCURRENCY: String(CONCURRENCY),
          ...superOfficeEnvFor(sim),
          SO_OWN_ASSOCIATE_ID: String(OWN_ASSOCIATE),
          SO_UDF_VERTICAL: 'SuperOffice:83',
          METRICS_PORT: '0',
          WATCHDOG_INTERVAL_MS: '0',
          RECONCILE_INTERVAL_MS: '0',
        });
        try {
          await events.pause();
          await addEvents(events, TENANT, skipEvents(WARMUP, WARMUP_RECORDS));
          await timeDrain(events, async () => (await pending([events])) === 0);
          await events.pause();
          await addEvents(events, TENANT, skipEvents(JOBS));
          const pid = proc.child.pid!;
          const before = await cpuSnapshot(connection, pid);
          const ms = await timeDrain(events, async () => (await pending([events])) === 0);
          const after = await cpuSnapshot(connection, pid);
          // Nothing is pending; completed bodies beyond the recent window (1,000) are removed as
          // in production, so the guard is: the window is full and nothing failed.
          const counts = await events.getJobCounts('completed', 'failed');
          if ((counts.failed ?? 0) !== 0 || (counts.completed ?? 0) !== Math.min(JOBS, 1000)) {
            throw new Error(`${kind}: ${JSON.stringify(counts)} of ${WARMUP} + ${JOBS} jobs`);
          }
          const m: Measurement = {
            kind,
            round,
            ms,
            eventsPerS: (JOBS / ms) * 1000,
            failed: counts.failed ?? 0,
            enrichJobs: await enrich.count(),
            rssMiB: rssMiB(proc.child.pid),
            cpu: perEvent(before, after, JOBS),
          };
          process.stdout.write(
            `[filter-stage] round ${round} ${kind.padEnd(6)} ${JOBS} events in ${ms.toFixed(0)} ms = ${m.eventsPerS.toFixed(0)} events/s  failed ${m.failed}  enrich jobs ${m.enrichJobs}  CPU µs/event redis ${m.cpu.redisUs.toFixed(0)} consumer ${m.cpu.processUs.toFixed(0)}\n`,
          );
          all.push(m);
        } finally {
          await stopChild(proc.child);
          await events.close();
          await enrich.close();
        }
      }
    }
  } finally {
    connection.disconnect();
    await sim.stop();
    await redis.dispose();
  }

  const rate = (kind: Kind) => mean(all.filter((m) => m.kind === kind).map((m) => m.eventsPerS));
  const ratio = rate('worker') / rate('noop');
  const label = (kind: Kind) =>
    kind === 'worker' ? 'so-events stage (worker)' : 'no-op BullMQ worker';
  const rows = all.map(
    (m) =>
      `| ${m.round} | ${label(m.kind)} | ${m.ms.toFixed(0)} | ${m.eventsPerS.toFixed(0)} | ${m.failed} | ${m.enrichJobs} | ${m.rssMiB} | ${m.cpu.redisUs.toFixed(0)} | ${m.cpu.processUs.toFixed(0)} |`,
  );
  const cpu = (kind: Kind, pick: (c: CpuPerEvent) => number) =>
    mean(all.filter((m) => m.kind === kind).map((m) => pick(m.cpu)));
  const cpuTotal = (kind: Kind) => cpu(kind, (c) => c.redisUs + c.processUs);
  const cpuRows = (['noop', 'worker'] as const).map(
    (kind) =>
      `| ${label(kind)} | ${cpu(kind, (c) => c.redisUs).toFixed(0)} | ${cpu(kind, (c) => c.processUs).toFixed(0)} | ${cpuTotal(kind).toFixed(0)} | ${cpu(kind, (c) => c.commands).toFixed(1)} | ${cpu(kind, (c) => c.evalsha).toFixed(2)} |`,
  );
  const section = `## 2. Filter stage: so-events skip path vs a no-op BullMQ worker

${JOBS} \`contact.changed\` jobs per measurement, pre-filled into a paused \`so-events\` (as the receiver
adds them: job id = EventId, same job options) on a private redis-server (AOF off, flushed before each
measurement); the queue is resumed and the drain is timed (polled every 10 ms). Before that, each
freshly started consumer drains ${WARMUP} such events on other records, untimed: a worker in production
runs for days and its code is optimised by then, while a fresh process spends its first thousands of
jobs in V8's slower tiers (docs/architecture.md "The skip path"). Half the events are
echoes of the connector's own writes (ChangedByAssociateId = its API user), half change only columns
the filter ignores, so every one is skipped and no enrichment is scheduled; each carries
\`FieldValues.updated\`, as SuperOffice's do, so each skip also writes its record's seen marker. Both sides are separate
processes with concurrency ${CONCURRENCY} (${
    process.env.BENCH_EVENTS_CONCURRENCY
      ? 'BENCH_EVENTS_CONCURRENCY'
      : "`EVENTS_CONCURRENCY`'s default, so-events jobs at once per process"
  }) on the same connection setup (\`createRedisConnection\` role
\`worker\`, same lock duration). The **worker** is \`apps/worker\` as built (the real
\`createEventsProcessor\`: zod check, \`decide\`, the SKIPPED fact on the account's sync run written
through the store's batcher, which puts the writes of concurrent jobs in one round trip and lets each
job complete only once its own fact is in Redis; activity counters after completion through the same
batcher, and metrics; its so-enrich and maintenance workers idle; docs/architecture.md "The skip path"). The **no-op** is a
BullMQ worker whose processor returns at once (bench/src/noop-worker.ts): BullMQ's own per-job cost.
${ROUNDS} round(s), alternating the order.

| no-op events/s | so-events stage events/s | stage / no-op |
|---|---|---|
| ${rate('noop').toFixed(0)} | ${rate('worker').toFixed(0)} | **${ratio.toFixed(2)}×** |

| round | consumer | drain ms | events/s | failed | so-enrich jobs | RSS MiB | Redis CPU µs/event | consumer CPU µs/event |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Where the time goes, per event (mean of the rounds): Redis's CPU (\`INFO cpu\`) and the consumer
process's (\`/proc/<pid>/stat\`, 10 ms ticks) between the resume and the end of the drain, and the
commands Redis ran (\`total_commands_processed\`, which counts a Lua script's own commands besides
its \`EVALSHA\`; the benchmark's own polling is in it too). On two cores the consumer and Redis
mostly take turns, so events/s follows 1 ÷ (the two together): no-op ÷ stage of that total is
**${(cpuTotal('noop') / cpuTotal('worker')).toFixed(2)}×**, less noisy than the events/s ratio.

| consumer | Redis CPU µs | consumer CPU µs | together µs | Redis commands | EVALSHAs |
|---|---|---|---|---|---|
${cpuRows.join('\n')}
`;
  writeSection(out, section, [
    '2. Filter stage',
    'so-events skip path / no-op BullMQ worker, events/s',
    `**${ratio.toFixed(2)}×**`,
    `${rate('worker').toFixed(0)} vs ${rate('noop').toFixed(0)} events/s at concurrency ${CONCURRENCY}`,
  ]);
}

runMain('filter-stage', main);
