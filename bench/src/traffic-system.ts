// The product as it runs in production, for benchmarks 3 and 4: the BUILT receiver and worker
// processes, a private redis-server (AOF everysec), and the simulator as SuperOffice with the
// connector's webhook registered (signed deliveries). Mirrors e2e/system.ts without Jest.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@so-connector/queue';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '@so-connector/superoffice-simulator';
import {
  CONNECTOR_WEBHOOK_EVENTS,
  freePort,
  pendingJobsIn,
  settle,
  superOfficeEnvFor,
  waitFor,
} from '@so-connector/testing';
import { REPO_ROOT, startRedis, stopChild } from './bench-common';

export const TRAFFIC_SECRET = 'bench-webhook-secret-0123456789abcdef';
export const TRAFFIC_UDF = {
  vertical: 'SuperOffice:83',
  summary: 'SuperOffice:84',
  opener: 'SuperOffice:85',
  personOpener: 'SuperOffice:91',
} as const;

export interface TrafficSystem {
  readonly sim: RunningSimulator;
  readonly receiver: ChildProcess;
  readonly worker: ChildProcess;
  readonly metricsPort: number;
  /** The system's Redis connection (queue prefix `prefix`), for benchmarks that read its keys. */
  readonly redis: Redis;
  /** The private redis-server's URL (e.g. to read maintenance results on a connection of one's own). */
  readonly redisUrl: string;
  readonly prefix: string;
  /** Sum of a counter family on the worker's /metrics (e.g. so_worker_provider_calls_total). */
  metric(name: string, labelFilter?: (labels: string) => boolean): Promise<number>;
  /** Deliveries, events and enrichments (incl. echoes) all handled. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function startApp(name: 'receiver' | 'worker', env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(REPO_ROOT, 'apps', name, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Parses Prometheus text and sums the samples of `name` whose label text passes `filter`. */
export function sumMetric(
  text: string,
  name: string,
  filter?: (labels: string) => boolean,
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})?\s+([0-9.e+-]+)$/i.exec(line);
    if (!m || m[1] !== name) continue;
    if (filter && !filter(m[2] ?? '')) continue;
    sum += Number(m[3]);
  }
  return sum;
}

export async function startTrafficSystem(options: {
  simulator?: SimulatorOptions;
  workerEnv?: Record<string, string>;
}): Promise<TrafficSystem> {
  const redis = await startRedis({ appendOnly: 'everysec' });
  const prefix = 'bench';
  const sim = await startSimulator({ retryScale: 0.01, ...options.simulator });
  const spoolDir = mkdtempSync(join(tmpdir(), 'so-bench-spool-'));
  const port = await freePort();
  const metricsPort = await freePort();
  const receiver = startApp('receiver', {
    PORT: String(port),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    SO_CONTEXT_IDENTIFIER: sim.state.contextIdentifier,
    WEBHOOK_SECRET: TRAFFIC_SECRET,
    SPOOL_DIR: spoolDir,
  });
  await waitFor(
    async () =>
      (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ?? false,
    { timeoutMs: 20_000, what: 'the receiver' },
  );
  const worker = startApp('worker', {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    ...superOfficeEnvFor(sim),
    SO_CONTEXT_IDENTIFIER: sim.state.contextIdentifier,
    SO_UDF_VERTICAL: TRAFFIC_UDF.vertical,
    SO_UDF_SUMMARY: TRAFFIC_UDF.summary,
    SO_UDF_OPENER: TRAFFIC_UDF.opener,
    SO_UDF_PERSON_OPENER: TRAFFIC_UDF.personOpener,
    ENRICHMENT_PROVIDER: 'builtin',
    SO_RATE_LIMIT_PER_SECOND: '500',
    METRICS_PORT: String(metricsPort),
    WATCHDOG_INTERVAL_MS: '0',
    RECONCILE_INTERVAL_MS: '0',
    ...options.workerEnv,
  });
  const scrape = async (): Promise<string> => {
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    return res.text();
  };
  await waitFor(async () => (await scrape().catch(() => '')).includes('so_worker_'), {
    timeoutMs: 20_000,
    what: 'the worker /metrics',
  });
  const registered = await sim.registerWebhook({
    targetUrl: `http://127.0.0.1:${port}/webhooks/superoffice`,
    secret: TRAFFIC_SECRET,
    events: CONNECTOR_WEBHOOK_EVENTS,
  });
  if (registered !== 200) throw new Error(`webhook registration failed: ${registered}`);

  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queues = [
    new Queue(QUEUE_NAMES.events, { connection, prefix }),
    new Queue(QUEUE_NAMES.enrich, { connection, prefix }),
  ];
  return {
    sim,
    receiver,
    worker,
    metricsPort,
    redis: connection,
    redisUrl: redis.url,
    prefix,
    metric: async (name, filter) => sumMetric(await scrape(), name, filter),
    settled: (timeoutMs = 60_000) =>
      settle(
        {
          pendingJobs: () => pendingJobsIn(queues),
          deliveries: () => sim.deliveries.length,
          deliveriesSettled: () => sim.deliveriesSettled(),
        },
        { timeoutMs, quietMs: 300 },
      ),
    async stop() {
      await Promise.all([stopChild(receiver), stopChild(worker)]);
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
      await sim.stop();
      await redis.dispose();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}
