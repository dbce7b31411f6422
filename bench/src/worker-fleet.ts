// The worker fleet of benchmarks 5 (scale-out) and 7 (backfill): BUILT worker processes against
// the simulator with 150 ms added to every API call, debounce 0 and a rate limit far above what
// is reached; and benchmark 5's live measurement (new contacts, their `contact.created` events put
// straight onto a paused `so-events`, the time until the queues are empty).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type WebhookEvent } from '@so-connector/queue';
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import { superOfficeEnvFor } from '@so-connector/testing';
import { REPO_ROOT, stopChild } from './bench-common';
import { addEvents, pending, startAndWait, timeDrain, type StartedProcess } from './bench-queue';

export const LATENCY_MS = 150;
export const CONCURRENCY = 4; // WORKER_CONCURRENCY's default, per process
export const RATE_LIMIT = 1000; // SO_RATE_LIMIT_PER_SECOND's maximum: never the bottleneck here
export const TENANT = 'Cust12345';
const HUMAN = 5;
export const WORKER = join(REPO_ROOT, 'apps', 'worker', 'dist', 'main.js');

/**
 * A fleet worker's pacing: no debounce, a queue-wide rate limit never reached, quick retries, and
 * no /metrics, watchdog or reconciliation (nothing but the measured work).
 */
export const FLEET_PACING: Readonly<Record<string, string>> = {
  SO_RATE_LIMIT_PER_SECOND: String(RATE_LIMIT),
  ENRICH_DEBOUNCE_MS: '0',
  ENRICH_MAX_WAIT_MS: '0',
  ENRICH_BACKOFF_MS: '50',
  METRICS_PORT: '0',
  WATCHDOG_INTERVAL_MS: '0',
  RECONCILE_INTERVAL_MS: '0',
};

/** The environment of a fleet worker (METRICS_PORT 0: no /metrics unless `extra` gives a port). */
export function fleetEnv(
  redisUrl: string,
  prefix: string,
  sim: RunningSimulator,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    ...superOfficeEnvFor(sim),
    SO_UDF_VERTICAL: 'SuperOffice:83',
    SO_UDF_SUMMARY: 'SuperOffice:84',
    SO_UDF_OPENER: 'SuperOffice:85',
    SO_UDF_PERSON_OPENER: 'SuperOffice:91',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    ...FLEET_PACING,
    ...extra,
  };
}

/** The fleet's settings as a sentence, for the methods of the sections. */
export const FLEET_SETTINGS = `WORKER_CONCURRENCY=${CONCURRENCY}, ENRICH_DEBOUNCE_MS=0, ENRICH_MAX_WAIT_MS=0 and
SO_RATE_LIMIT_PER_SECOND=${RATE_LIMIT} (the queue-wide limiter is not reached); builtin provider`;

/** Starts `n` workers with the environment `envOf(i)` and waits until each is ready. */
export function startWorkers(
  n: number,
  envOf: (i: number) => Record<string, string>,
): Promise<StartedProcess[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startAndWait(WORKER, envOf(i))));
}

export async function stopWorkers(workers: readonly StartedProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => stopChild(w.child)));
}

/**
 * Creates `n` new contacts as a human would (no webhook is registered: nothing is delivered) and
 * returns their `contact.created` events from `tenant`.
 */
export function createContacts(
  sim: RunningSimulator,
  n: number,
  tag: string,
  tenant = TENANT,
): WebhookEvent[] {
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
      ContextIdentifier: tenant,
      ChangedByAssociateId: HUMAN,
      WebhookName: 'bench',
      FieldValues: { associate_id: HUMAN, contact_id: id },
    };
  });
}

export interface LiveMeasurement {
  readonly processes: number;
  readonly round: number;
  readonly ms: number;
  readonly enrichments: number;
  readonly perS: number;
  readonly apiCalls: number;
  readonly writes: number;
  readonly failed: number;
}

/**
 * Benchmark 5's measurement: flushes Redis, starts `processes` workers, creates `contacts` new
 * contacts and puts their `contact.created` events onto a paused `so-events`, resumes it and times
 * the drain of `so-events` and `so-enrich`. Throws unless every contact was enriched.
 */
export async function measureLive(
  connection: Redis,
  redisUrl: string,
  sim: RunningSimulator,
  options: { processes: number; round: number; contacts: number; tag: string },
): Promise<LiveMeasurement> {
  const { processes, round, contacts } = options;
  await connection.flushall();
  const prefix = `bench-${options.tag}-${processes}-${round}`;
  const events = new Queue(QUEUE_NAMES.events, { connection, prefix });
  const enrich = new Queue(QUEUE_NAMES.enrich, { connection, prefix });
  const workers: StartedProcess[] = [];
  try {
    workers.push(...(await startWorkers(processes, () => fleetEnv(redisUrl, prefix, sim))));
    await events.pause();
    const created = createContacts(sim, contacts, `${options.tag}${processes}p${round}`);
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
    if (enrichments !== contacts) {
      throw new Error(
        `${processes} process(es): ${enrichments} enrichments of ${contacts} (${JSON.stringify(counts)})`,
      );
    }
    return {
      processes,
      round,
      ms,
      enrichments,
      perS: (enrichments / ms) * 1000,
      apiCalls: sim.counters.total() - callsBefore,
      writes: sim.counters.total('PATCH ') + sim.counters.total('PUT ') - writesBefore,
      failed: counts.failed ?? 0,
    };
  } finally {
    await stopWorkers(workers);
    await events.close();
    await enrich.close();
  }
}
