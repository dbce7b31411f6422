// Benchmark 5: enrichments/s with 1, 2 and 4 BUILT worker processes against the simulator with
// 150 ms added to every API call, on a fixed set of relevant changes (contacts created in the
// simulator, their `contact.created` events put straight onto `so-events`), debounce 0 and a rate
// limit far above what is reached. The verdict is the ratio to 1 process, measured in the same run.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type WebhookEvent } from '@so-connector/queue';
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { superOfficeEnvFor } from '@so-connector/testing';
import {
  REPO_ROOT,
  mean,
  parseArgs,
  runMain,
  startRedis,
  stopChild,
  writeSection,
} from './bench-common';
import { addEvents, pending, startAndWait, timeDrain, type StartedProcess } from './bench-queue';

const { quick, out } = parseArgs();
const CONTACTS = quick ? 60 : 200;
const PROCESSES: readonly number[] = [1, 2, 4];
const ROUNDS = quick ? 1 : 2;
const LATENCY_MS = 150;
const CONCURRENCY = 4; // WORKER_CONCURRENCY's default, per process
const RATE_LIMIT = 1000; // SO_RATE_LIMIT_PER_SECOND's maximum: never the bottleneck here
const TENANT = 'Cust12345';
const HUMAN = 5;
const WORKER = join(REPO_ROOT, 'apps', 'worker', 'dist', 'main.js');

/** Creates `n` new contacts as a human would (no webhook is registered: nothing is delivered). */
function createContacts(sim: RunningSimulator, n: number, tag: string): WebhookEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const url = `https://bench-${tag}-${i}.example.no`;
    const created = sim.createAs(HUMAN, 'contact', {
      Name: `Bench ${tag} ${i} AS`,
      OrgNr: String(910_000_000 + i),
      Description: 'Industrial robot cells and automation for Nordic factories.',
      Urls: [{ Value: url, StrippedValue: url.replace(/^https:\/\//, ''), Description: '' }],
      Domains: [new URL(url).hostname],
    });
    const id = Number(created.ContactId);
    return {
      EventId: randomUUID(),
      Timestamp: new Date().toISOString(),
      Changes: [],
      Event: 'contact.created',
      PrimaryKey: id,
      Entity: 'contact',
      ContextIdentifier: TENANT,
      ChangedByAssociateId: HUMAN,
      WebhookName: 'bench',
      FieldValues: { associate_id: HUMAN, contact_id: id },
    };
  });
}

interface Measurement {
  readonly processes: number;
  readonly round: number;
  readonly ms: number;
  readonly enrichments: number;
  readonly perS: number;
  readonly apiCalls: number;
  readonly writes: number;
  readonly failed: number;
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const sim = await startSimulator();
  sim.faults.latencyMs = LATENCY_MS;
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const all: Measurement[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? PROCESSES : [...PROCESSES].reverse();
      for (const processes of order) {
        await connection.flushall();
        const prefix = `bench-scale-${processes}-${round}`;
        const events = new Queue(QUEUE_NAMES.events, { connection, prefix });
        const enrich = new Queue(QUEUE_NAMES.enrich, { connection, prefix });
        const workers: StartedProcess[] = [];
        try {
          const env = {
            NODE_ENV: 'production',
            LOG_LEVEL: 'info',
            REDIS_URL: redis.url,
            QUEUE_PREFIX: prefix,
            ...superOfficeEnvFor(sim),
            SO_UDF_VERTICAL: 'SuperOffice:83',
            SO_UDF_SUMMARY: 'SuperOffice:84',
            SO_UDF_OPENER: 'SuperOffice:85',
            SO_UDF_PERSON_OPENER: 'SuperOffice:91',
            SO_RATE_LIMIT_PER_SECOND: String(RATE_LIMIT),
            WORKER_CONCURRENCY: String(CONCURRENCY),
            ENRICH_DEBOUNCE_MS: '0',
            ENRICH_MAX_WAIT_MS: '0',
            ENRICH_BACKOFF_MS: '50',
            METRICS_PORT: '0',
            WATCHDOG_INTERVAL_MS: '0',
            RECONCILE_INTERVAL_MS: '0',
          };
          workers.push(
            ...(await Promise.all(
              Array.from({ length: processes }, () => startAndWait(WORKER, env)),
            )),
          );
          await events.pause();
          const created = createContacts(sim, CONTACTS, `${processes}p${round}`);
          await addEvents(events, TENANT, created);
          const callsBefore = sim.counters.total();
          const writesBefore = sim.counters.total('PATCH ') + sim.counters.total('PUT ');
          const ms = await timeDrain(
            events,
            async () => (await pending([events, enrich])) === 0 && (await events.count()) === 0,
            { timeoutMs: 600_000, intervalMs: 20 },
          );
          const counts = await enrich.getJobCounts('completed', 'failed');
          const enrichments = counts.completed ?? 0;
          const m: Measurement = {
            processes,
            round,
            ms,
            enrichments,
            perS: (enrichments / ms) * 1000,
            apiCalls: sim.counters.total() - callsBefore,
            writes: sim.counters.total('PATCH ') + sim.counters.total('PUT ') - writesBefore,
            failed: counts.failed ?? 0,
          };
          if (enrichments !== CONTACTS) {
            throw new Error(
              `${processes} process(es): ${enrichments} enrichments of ${CONTACTS} (${JSON.stringify(counts)})`,
            );
          }
          process.stdout.write(
            `[scale-out] round ${round} ${processes} process(es): ${enrichments} enrichments in ${ms.toFixed(0)} ms = ${m.perS.toFixed(1)}/s  API calls ${m.apiCalls}  writes ${m.writes}  failed ${m.failed}\n`,
          );
          all.push(m);
        } finally {
          await Promise.all(workers.map((w) => stopChild(w.child)));
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

  const rate = (p: number) => mean(all.filter((m) => m.processes === p).map((m) => m.perS));
  const base = rate(1);
  const table = PROCESSES.map(
    (p) =>
      `| ${p} | ${p * CONCURRENCY} | ${rate(p).toFixed(1)} | ${p === 1 ? '1.00×' : `**${(rate(p) / base).toFixed(2)}×**`} | ${(rate(p) / base / p).toFixed(2)} |`,
  );
  const rows = all.map(
    (m) =>
      `| ${m.round} | ${m.processes} | ${m.ms.toFixed(0)} | ${m.enrichments} | ${m.perS.toFixed(1)} | ${m.apiCalls} | ${m.writes} | ${m.failed} |`,
  );
  const top = PROCESSES[PROCESSES.length - 1]!;
  const section = `## 5. Scale-out: enrichments/s with 1, 2 and 4 worker processes

The simulator adds ${LATENCY_MS} ms to every API call. Per measurement, ${CONTACTS} new contacts are created in the
simulator and their \`contact.created\` events are put straight onto a paused \`so-events\` (no receiver, no
webhook deliveries, so no echoes); the queue is resumed and the time until \`so-events\` and \`so-enrich\` are
both empty is measured. Workers are \`apps/worker\` as built, started and ready before the clock starts,
each with WORKER_CONCURRENCY=${CONCURRENCY}, ENRICH_DEBOUNCE_MS=0, ENRICH_MAX_WAIT_MS=0 and
SO_RATE_LIMIT_PER_SECOND=${RATE_LIMIT} (the queue-wide limiter is not reached); builtin provider, private
redis-server (AOF off, flushed before each measurement). The simulator runs in the benchmark process on
the same machine as the workers. ${ROUNDS} round(s)${ROUNDS > 1 ? ', the second in reverse order' : ''}.

| processes | jobs in flight at most | enrichments/s | vs 1 process | efficiency (ratio / processes) |
|---|---|---|---|---|
${table.join('\n')}

| round | processes | drain ms | enrichments | enrichments/s | API calls | writes | failed attempts |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeSection(out, section, [
    '5. Scale-out',
    `enrichments/s, ${top} worker processes / 1 (API latency ${LATENCY_MS} ms)`,
    `**${(rate(top) / base).toFixed(2)}×**`,
    PROCESSES.map((p) => `${p}: ${rate(p).toFixed(1)}/s`).join(', '),
  ]);
}

runMain('scale-out', main);
