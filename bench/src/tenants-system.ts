// The many-tenant system of benchmark 8: one simulator per tenant (its own ContextIdentifier,
// companies and token endpoint, each on its own port), a TENANTS_FILE naming them, and the BUILT
// receiver and worker processes on a private redis-server. The first tenant is the environment's
// one-tenant shorthand, the others come from the file, as a partner's deployment would have them.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startSimulator,
  type RunningSimulator,
  type TenantSeed,
} from '@so-connector/superoffice-simulator';
import { Redis } from 'ioredis';
import { freePort, superOfficeEnvFor, waitFor } from '@so-connector/testing';
import { REPO_ROOT, infoNumber, spawnNode, startRedis, stopChild } from './bench-common';
import { startAndWait } from './bench-queue';
import { TRAFFIC_UDF } from './traffic-system';

export interface TenantBudget {
  readonly superofficeCallsPerMinute?: number;
  readonly providerCallsPerHour?: number;
}

/** One tenant of the file: its id, webhook secret and (optionally) budget and simulator. */
export interface BenchTenant {
  readonly contextIdentifier: string;
  readonly secret: string;
  readonly budget?: TenantBudget;
  /** Its SuperOffice; undefined = the tenant is registered but never called (connection counts). */
  readonly sim?: RunningSimulator;
}

export const secretOf = (ctx: string): string => `whsec-${ctx}-0123456789abcdef`;

/** The demo tenant's seed with another ContextIdentifier (and the given companies). */
export function seedFor(base: TenantSeed, contextIdentifier: string): TenantSeed {
  return { ...base, contextIdentifier };
}

/** Starts one simulator per seed, a few at a time. */
export async function startSimulators(
  seeds: readonly TenantSeed[],
  apiLatencyMs: number,
): Promise<RunningSimulator[]> {
  const sims: RunningSimulator[] = [];
  for (let i = 0; i < seeds.length; i += 10) {
    const batch = await Promise.all(
      seeds.slice(i, i + 10).map((seed) => startSimulator({ seed, retryScale: 0.01 })),
    );
    for (const sim of batch) sim.faults.latencyMs = apiLatencyMs;
    sims.push(...batch);
  }
  return sims;
}

/** TENANTS_FILE (JSON) for every tenant but the first, which is the environment's. */
export function tenantsFile(tenants: readonly BenchTenant[], fallback: RunningSimulator): string {
  return JSON.stringify(
    {
      tenants: tenants.slice(1).map((t) => {
        const sim = t.sim ?? fallback;
        return {
          contextIdentifier: t.contextIdentifier,
          webhookSecrets: [t.secret],
          refreshToken: sim.client.refreshToken,
          apiBaseUrl: t.sim ? sim.apiBaseUrl() : `${sim.url}/online/${t.contextIdentifier}/api`,
          tokenUrl: sim.tokenUrl,
          udf: TRAFFIC_UDF,
          ...(t.budget ? { budget: t.budget } : {}),
        };
      }),
    },
    null,
    1,
  );
}

export interface CpuSeconds {
  readonly receiver: number;
  readonly worker: number;
  readonly redis: number;
  /** Seconds the main thread of each process was ready to run but waited for a CPU (schedstat). */
  readonly receiverWait: number;
  readonly workerWait: number;
  /** … and of this process (the simulators and the clock of the latencies). */
  readonly benchWait: number;
}

/** Run-queue wait of a process's main thread so far, in seconds (/proc/<pid>/schedstat). */
export function runQueueWaitSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return 0;
  }
}

/** utime + stime of a process from /proc/<pid>/stat, in seconds (0 when unknown). */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

export interface TenantsSystem {
  readonly receiver: ChildProcess;
  readonly worker: ChildProcess;
  readonly receiverUrl: string;
  readonly metricsPort: number;
  readonly redisUrl: string;
  readonly redisPort: number;
  readonly prefix: string;
  /** Prometheus text of the worker's /metrics. */
  scrape(): Promise<string>;
  /** CPU seconds (user + system) the receiver, the worker and redis-server have used so far. */
  cpuSeconds(): Promise<CpuSeconds>;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server (AOF everysec), the receiver and the worker serving `tenants`
 * (the first from the environment, the rest from TENANTS_FILE); `fallback` is the simulator of
 * tenants that have none (registered, never called).
 */
export async function startTenantsSystem(options: {
  tenants: readonly BenchTenant[];
  fallback: RunningSimulator;
  workerEnv: Record<string, string>;
  prefix: string;
}): Promise<TenantsSystem> {
  const { tenants, fallback, prefix } = options;
  const first = tenants[0];
  if (!first) throw new Error('at least one tenant');
  const firstSim = first.sim ?? fallback;
  const redis = await startRedis({ appendOnly: 'everysec' });
  const dir = mkdtempSync(join(tmpdir(), 'so-bench-tenants-'));
  const file = join(dir, 'tenants.json');
  writeFileSync(file, tenantsFile(tenants, fallback));
  const port = await freePort();
  const metricsPort = await freePort();
  const shared = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    SO_CONTEXT_IDENTIFIER: first.contextIdentifier,
    ...(tenants.length > 1 ? { TENANTS_FILE: file } : {}),
    // The stage breakdown reads the quiet tenants' completed so-events jobs back from Redis; with
    // the default recent window (1,000 bodies) the flood's 20,000 pushed every one of them out and
    // the table showed zeros. Kept here for the whole run (the dedup markers do not depend on it).
    EVENTS_KEEP_COMPLETED_COUNT: '100000',
  };
  const receiver = spawnNode(join(REPO_ROOT, 'apps', 'receiver', 'dist', 'main.js'), {
    ...shared,
    PORT: String(port),
    WEBHOOK_SECRET: first.secret,
    SPOOL_DIR: join(dir, 'spool'),
  });
  const receiverUrl = `http://127.0.0.1:${port}`;
  const stopAll = async (worker?: ChildProcess) => {
    await Promise.all([stopChild(receiver), ...(worker ? [stopChild(worker)] : [])]);
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  };
  let worker: ChildProcess | undefined;
  try {
    await waitFor(
      async () => (await fetch(`${receiverUrl}/readyz`).catch(() => undefined))?.ok ?? false,
      { timeoutMs: 30_000, what: 'the receiver' },
    );
    const started = await startAndWait(
      join(REPO_ROOT, 'apps', 'worker', 'dist', 'main.js'),
      {
        ...shared,
        LOG_LEVEL: 'info',
        ...superOfficeEnvFor(firstSim),
        SO_CONTEXT_IDENTIFIER: first.contextIdentifier,
        SO_UDF_VERTICAL: TRAFFIC_UDF.vertical,
        SO_UDF_SUMMARY: TRAFFIC_UDF.summary,
        SO_UDF_OPENER: TRAFFIC_UDF.opener,
        SO_UDF_PERSON_OPENER: TRAFFIC_UDF.personOpener,
        ENRICHMENT_PROVIDER: 'builtin',
        METRICS_PORT: String(metricsPort),
        WATCHDOG_INTERVAL_MS: '0',
        RECONCILE_INTERVAL_MS: '0',
        ...options.workerEnv,
      },
      'worker started',
      60_000,
    );
    worker = started.child;
  } catch (error) {
    await stopAll(worker);
    throw error;
  }
  const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const running = worker;
  const redisCpu = async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    try {
      const info = await client.info('cpu');
      return infoNumber(info, 'used_cpu_user') + infoNumber(info, 'used_cpu_sys');
    } finally {
      client.disconnect();
    }
  };
  return {
    cpuSeconds: async () => ({
      receiver: processCpuSeconds(receiver.pid),
      worker: processCpuSeconds(running.pid),
      redis: await redisCpu(),
      receiverWait: runQueueWaitSeconds(receiver.pid),
      workerWait: runQueueWaitSeconds(running.pid),
      benchWait: runQueueWaitSeconds(process.pid),
    }),
    receiver,
    worker: running,
    receiverUrl,
    metricsPort,
    redisUrl: redis.url,
    redisPort: redis.port,
    prefix,
    scrape,
    stop: () => stopAll(running),
  };
}
