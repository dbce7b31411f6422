// Benchmark 10's two measurements on one running topology: ingest (the built receiver, signed
// webhooks of every tenant on their own paths, autocannon) and end to end (4 built workers draining
// new contacts' `contact.created` events of every tenant until each record is written).
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { partitionOf } from '@so-connector/queue';
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import { freePort, superOfficeEnvFor, waitFor } from '@so-connector/testing';
import { contactChangedBody, REPO_ROOT, spawnNode, stopChild } from './bench-common';
import { addEvents, pending } from './bench-queue';
import type { NodeStats, RunningTopology } from './cluster-system';
import { processCpuSeconds, secretOf } from './tenants-system';
import { TRAFFIC_UDF } from './traffic-system';
import { createContacts, FLEET_PACING, startWorkers, stopWorkers } from './worker-fleet';

export const PARTITIONS = 6;
export const WORKERS = 4;
export const WORKER_CONCURRENCY = 2;
export const CONNECTIONS = 50;
export const API_LATENCY_MS = 20;

/** The deployment: tenants (the first from the environment, the rest from `tenantsFile`). */
export interface Deployment {
  readonly tenants: readonly string[];
  readonly sims: readonly RunningSimulator[];
  readonly tenantsFile: string;
  readonly dir: string;
}

/** What Redis did during a measurement: the sums over the masters and the busiest one's share. */
export interface RedisWork {
  readonly cpuSeconds: number;
  readonly commands: number;
  /** The busiest master's share of the commands / of the CPU seconds (1 on one node). */
  readonly topCommandShare: number;
  readonly topCpuShare: number;
  /** Calls per command over every master during the measurement. */
  readonly calls: ReadonlyMap<string, number>;
}

export interface Measurement {
  readonly topology: string;
  readonly round: number;
  readonly perS: number;
  readonly count: number;
  readonly ms: number;
  readonly redis: RedisWork;
  /** ingest: non-2xx answers and errors; end to end: failed enrichment attempts. */
  readonly failures: number;
  /** ingest: the receiver's CPU seconds; end to end: the writes the simulators counted. */
  readonly extra: number;
}

function redisWork(before: readonly NodeStats[], after: readonly NodeStats[]): RedisWork {
  const cpu = after.map((a, i) => a.cpuSeconds - before[i]!.cpuSeconds);
  const commands = after.map((a, i) => a.commands - before[i]!.commands);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const calls = new Map<string, number>();
  after.forEach((a, i) => {
    for (const [name, count] of a.calls) {
      const delta = count - (before[i]!.calls.get(name) ?? 0);
      if (delta > 0) calls.set(name, (calls.get(name) ?? 0) + delta);
    }
  });
  return {
    calls,
    cpuSeconds: sum(cpu),
    commands: sum(commands),
    topCommandShare: Math.max(...commands) / Math.max(1, sum(commands)),
    topCpuShare: Math.max(...cpu) / Math.max(1e-9, sum(cpu)),
  };
}

function sharedEnv(rt: RunningTopology, d: Deployment): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    ...rt.env,
    QUEUE_PARTITIONS: String(PARTITIONS),
    SO_CONTEXT_IDENTIFIER: d.tenants[0]!,
    TENANTS_FILE: d.tenantsFile,
  };
}

/**
 * Ingest: the receiver as built, `CONNECTIONS` connections posting signed events for `seconds`,
 * each request for the next tenant on `/webhooks/superoffice/{ContextIdentifier}` with its secret.
 * Once the receiver has stopped (SIGTERM: it finishes what it accepted), the queued jobs are
 * counted: fewer than the 2xx answers would be an accepted event lost, and throws.
 */
export async function measureIngest(
  rt: RunningTopology,
  d: Deployment,
  round: number,
  seconds: number,
): Promise<Measurement> {
  await rt.flush();
  const port = await freePort();
  const receiver = spawnNode(join(REPO_ROOT, 'apps', 'receiver', 'dist', 'main.js'), {
    ...sharedEnv(rt, d),
    PORT: String(port),
    WEBHOOK_SECRET: secretOf(d.tenants[0]!),
    SPOOL_DIR: join(d.dir, `spool-${rt.topology.masters ?? 0}-${round}`),
  });
  try {
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ?? false,
      { timeoutMs: 30_000, what: 'the receiver' },
    );
    let next = 0;
    const before = await rt.nodeStats();
    const cpuBefore = processCpuSeconds(receiver.pid);
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const tenant = d.tenants[next++ % d.tenants.length]!;
            const body = contactChangedBody(tenant);
            const signature = createHmac('sha256', secretOf(tenant)).update(body).digest('base64');
            return {
              ...request,
              path: `/webhooks/superoffice/${tenant}`,
              body,
              headers: {
                'content-type': 'application/json; charset=utf-8',
                'x-superoffice-signature': signature,
              },
            };
          },
        },
      ],
    });
    const after = await rt.nodeStats();
    const receiverCpu = processCpuSeconds(receiver.pid) - cpuBefore;
    await stopChild(receiver);
    // The receiver queues with the tenants' fair priorities: most jobs wait as 'prioritized'.
    const queued = await pending(rt.events);
    const accepted = result['2xx'];
    if (queued < accepted)
      throw new Error(`${rt.topology.name}: ${accepted} events accepted, ${queued} queued`);
    return {
      topology: rt.topology.name,
      round,
      perS: accepted / seconds,
      count: accepted,
      ms: seconds * 1000,
      redis: redisWork(before, after),
      failures: result.non2xx + result.errors,
      extra: receiverCpu,
    };
  } finally {
    await stopChild(receiver);
  }
}

/**
 * End to end: `WORKERS` built workers, ready before the clock starts; `contactsPerTenant` new
 * contacts in every tenant's simulator, their `contact.created` events put onto the tenant's
 * paused `so-events` partition; every partition resumed at once and the time until no partition
 * of `so-events` or `so-enrich` holds a job. Throws unless every contact was enriched.
 */
export async function measureEndToEnd(
  rt: RunningTopology,
  d: Deployment,
  round: number,
  contactsPerTenant: number,
): Promise<Measurement> {
  await rt.flush();
  const env = {
    ...sharedEnv(rt, d),
    LOG_LEVEL: 'info',
    ...superOfficeEnvFor(d.sims[0]!),
    SO_CONTEXT_IDENTIFIER: d.tenants[0]!,
    SO_UDF_VERTICAL: TRAFFIC_UDF.vertical,
    SO_UDF_SUMMARY: TRAFFIC_UDF.summary,
    SO_UDF_OPENER: TRAFFIC_UDF.opener,
    SO_UDF_PERSON_OPENER: TRAFFIC_UDF.personOpener,
    ENRICHMENT_PROVIDER: 'builtin',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    ...FLEET_PACING,
  };
  const workers = await startWorkers(WORKERS, () => env);
  try {
    await Promise.all(rt.events.map((q) => q.pause()));
    const tag = `${rt.topology.masters ?? 0}m${round}`;
    for (const [i, tenant] of d.tenants.entries()) {
      const created = createContacts(d.sims[i]!, contactsPerTenant, `${tag}-${tenant}`, tenant);
      await addEvents(rt.events[partitionOf(tenant, PARTITIONS)]!, tenant, created);
    }
    const writes = () =>
      d.sims.reduce((n, s) => n + s.counters.total('PATCH ') + s.counters.total('PUT '), 0);
    const writesBefore = writes();
    const before = await rt.nodeStats();
    const start = performance.now();
    await Promise.all(rt.events.map((q) => q.resume()));
    await waitFor(async () => (await pending([...rt.events, ...rt.enrich])) === 0, {
      timeoutMs: 600_000,
      intervalMs: 20,
      what: `${rt.topology.name}: the queues to drain`,
    });
    const ms = performance.now() - start;
    const after = await rt.nodeStats();
    const counts = await Promise.all(rt.enrich.map((q) => q.getJobCounts('completed', 'failed')));
    const enriched = counts.reduce((n, c) => n + (c.completed ?? 0), 0);
    const expected = contactsPerTenant * d.tenants.length;
    if (enriched !== expected)
      throw new Error(`${rt.topology.name}: ${enriched} enrichments of ${expected}`);
    return {
      topology: rt.topology.name,
      round,
      perS: (enriched / ms) * 1000,
      count: enriched,
      ms,
      redis: redisWork(before, after),
      failures: counts.reduce((n, c) => n + (c.failed ?? 0), 0),
      extra: writes() - writesBefore,
    };
  } finally {
    await stopWorkers(workers);
  }
}
