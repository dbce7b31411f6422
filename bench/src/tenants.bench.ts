// Benchmark 8: many tenants in one deployment (issue 12). 100 tenants, each with its own simulator;
// the quiet tenants' enrichment latency (webhook received → record written) without and with one
// tenant flooding 20,000 events in a minute, in the same run on the same processes; the flooding
// tenant's budgets against the calls its simulator counts per clock window; and the BullMQ workers
// and Redis connections of the receiver and the worker at 1, 100 and 1,000 registered tenants.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import { machineHeader, parseArgs, runMain, sleep, writeSection } from './bench-common';
import type { FloodResult } from './tenants-flood';
import { countConnections, tenantsMarkdown, type Measured, type PhaseLoad } from './tenants-report';
import { stageBreakdown } from './tenants-stages';
import { humanRename, quietTraffic } from './tenants-traffic';
import {
  secretOf,
  seedFor,
  startSimulators,
  startTenantsSystem,
  type BenchTenant,
  type CpuSeconds,
  type TenantsSystem,
} from './tenants-system';
import { generateDay } from './traffic-day';
import { sumMetric } from './traffic-system';

export const SETTINGS = {
  tenants: 100,
  floodEvents: 20_000,
  floodSeconds: 60,
  quietPerSecond: 10,
  quietCompanies: 30,
  apiLatencyMs: 150,
  concurrency: 25,
  soBudget: 600,
  providerBudget: 300,
} as const;
const QUICK = { floodEvents: 5_000, floodSeconds: 15 } as const;
const FLOOD_INDEX = 1;
const ctxOf = (i: number) => `Cust${1000 + i}`;

/** SuperOffice API calls (what the budget gates; not the token endpoint) of `sim`, with times. */
function recordCalls(sim: RunningSimulator): number[] {
  const at: number[] = [];
  const hit = sim.counters.hit.bind(sim.counters);
  sim.counters.hit = (route: string) => {
    if (route !== 'POST token' && route !== 'GET state') at.push(Date.now());
    hit(route);
  };
  return at;
}

interface CpuPoint {
  readonly at: number;
  readonly load: number;
  readonly cpu: CpuSeconds;
}

/** CPU share (CPU seconds per wall second) of each process between two points, and the load average. */
function usage(a: CpuPoint, b: CpuPoint): PhaseLoad {
  const wall = (b.at - a.at) / 1000;
  const share = (k: keyof CpuSeconds) => (b.cpu[k] - a.cpu[k]) / wall;
  return {
    seconds: wall,
    receiver: share('receiver'),
    worker: share('worker'),
    redis: share('redis'),
    receiverWait: share('receiverWait'),
    workerWait: share('workerWait'),
    benchWait: share('benchWait'),
    loadStart: a.load,
    loadEnd: b.load,
  };
}

/** Calls per clock hour from (time, running count) samples. */
function providerPerHour(series: readonly [number, number][]): { hour: number; calls: number }[] {
  const hours = new Map<number, number>();
  for (let i = 1; i < series.length; i++) {
    const hour = Math.floor(series[i]![0] / 3_600_000) * 3_600_000;
    hours.set(hour, (hours.get(hour) ?? 0) + series[i]![1] - series[i - 1]![1]);
  }
  return [...hours].map(([hour, calls]) => ({ hour, calls }));
}

async function runFlood(spec: object): Promise<FloodResult> {
  const dir = mkdtempSync(join(tmpdir(), 'so-bench-flood-'));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  try {
    const child = spawn(process.execPath, [join(__dirname, 'tenants-flood.js'), file], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the flood process exited with ${code}`);
    return JSON.parse(out.trim()) as FloodResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Connections of the receiver and the worker with `n` registered tenants, idle after start. */
async function idleConnections(
  n: number,
  sim: RunningSimulator,
  workerEnv: Record<string, string>,
) {
  const tenants: BenchTenant[] = Array.from({ length: n }, (_, i) => ({
    contextIdentifier: ctxOf(i),
    secret: secretOf(ctxOf(i)),
    ...(i === 0 ? { sim } : {}),
  }));
  const system = await startTenantsSystem({
    tenants,
    fallback: sim,
    workerEnv,
    prefix: `bench-t${n}`,
  });
  try {
    await sleep(3000);
    return await countConnections(system);
  } finally {
    await system.stop();
  }
}

async function main(): Promise<void> {
  const args = parseArgs();
  const floodEvents = args.quick ? QUICK.floodEvents : SETTINGS.floodEvents;
  const seconds = args.quick ? QUICK.floodSeconds : SETTINGS.floodSeconds;
  const started = performance.now();
  const day = (contacts: number) =>
    generateDay({
      randomSeed: 8,
      contacts,
      personsPerContact: 0,
      episodes: 0,
      durationMs: 10_000,
      debounceMs: 0,
    }).seed;
  const quietSeed = day(SETTINGS.quietCompanies);
  const floodSeed = day(floodEvents);
  const seeds = Array.from({ length: SETTINGS.tenants }, (_, i) =>
    seedFor(i === FLOOD_INDEX ? floodSeed : quietSeed, ctxOf(i)),
  );
  const sims = await startSimulators(seeds, SETTINGS.apiLatencyMs);
  const tenants: BenchTenant[] = sims.map((sim, i) => ({
    contextIdentifier: ctxOf(i),
    secret: secretOf(ctxOf(i)),
    sim,
    ...(i === FLOOD_INDEX
      ? {
          budget: {
            superofficeCallsPerMinute: SETTINGS.soBudget,
            providerCallsPerHour: SETTINGS.providerBudget,
          },
        }
      : {}),
  }));
  const flooder = tenants[FLOOD_INDEX]!;
  const quiet = tenants.filter((_, i) => i !== FLOOD_INDEX);
  const workerEnv = {
    WORKER_CONCURRENCY: String(SETTINGS.concurrency),
    ENRICH_DEBOUNCE_MS: '0',
    ENRICH_MAX_WAIT_MS: '0',
    SO_RATE_LIMIT_PER_SECOND: '1000',
  };
  // The flood: a mass update renaming every one of the flooding tenant's companies, made in its
  // simulator now, its webhooks sent later by the flood process.
  const floodBodies = flooder
    .sim!.state.ids('contact')
    .slice(0, floodEvents)
    .map((id) => humanRename(flooder.sim!, flooder.contextIdentifier, id, `Mass update ${id} AS`));
  const floodCalls = recordCalls(flooder.sim!);

  let measured: Measured;
  const system: TenantsSystem = await startTenantsSystem({
    tenants,
    fallback: sims[0]!,
    workerEnv,
    prefix: 'bench-t100',
  });
  try {
    const round = { next: 0 };
    const quietRun = (s: number) =>
      quietTraffic({
        receiverUrl: system.receiverUrl,
        tenants: quiet,
        perSecond: SETTINGS.quietPerSecond,
        seconds: s,
        graceMs: 30_000,
        round,
      });
    // Warm-up, not measured: every quiet tenant's client, token and UDF layout, once.
    await quietRun(quiet.length / SETTINGS.quietPerSecond + 5);
    const idle100 = await countConnections(system);
    const cpuAt = async () => ({
      at: performance.now(),
      load: loadavg()[0]!,
      cpu: await system.cpuSeconds(),
    });
    const c0 = await cpuAt();
    const baseline = await quietRun(seconds);
    const c1 = await cpuAt();
    process.stdout.write(`baseline: ${baseline.latencies.length}/${baseline.saves} arrived\n`);
    const floodStart = Date.now();
    const providerAt = async () =>
      sumMetric(
        await system.scrape(),
        'so_worker_provider_calls_total',
        (l) => l.includes(`tenant="${flooder.contextIdentifier}"`) && l.includes('result="ok"'),
      );
    // The provider's budget is per clock hour: the count is read every 500 ms, so a run across
    // the hour splits at the boundary (to within 500 ms).
    const providerSeries: [number, number][] = [[Date.now(), await providerAt()]];
    const poll = setInterval(() => {
      const at = Date.now();
      providerAt().then(
        (v) => providerSeries.push([at, v]),
        () => undefined,
      );
    }, 500);
    const [flood, withFlood] = await Promise.all([
      runFlood({
        url: `${system.receiverUrl}/webhooks/superoffice/${flooder.contextIdentifier}`,
        secret: flooder.secret,
        seconds,
        events: floodBodies,
      }),
      quietRun(seconds),
    ]);
    const c2 = await cpuAt();
    process.stdout.write(
      `flood: ${JSON.stringify(flood)}; quiet ${withFlood.latencies.length}/${withFlood.saves} arrived\n`,
    );
    const busy100 = await countConnections(system);
    // Two whole clock minutes of the flooding tenant's calls after the flood began.
    const firstWindow = Math.ceil(floodStart / 60_000) * 60_000;
    // A quick run does not wait for a whole window (it reports none).
    const observeUntil = args.quick ? Date.now() : firstWindow + 2 * 60_000;
    await sleep(Math.max(0, observeUntil - Date.now() + 1000));
    clearInterval(poll);
    providerSeries.push([Date.now(), await providerAt()]);
    const metrics = await system.scrape();
    const stages = {
      baseline: await stageBreakdown(system.redisUrl, system.prefix, baseline.samples),
      withFlood: await stageBreakdown(system.redisUrl, system.prefix, withFlood.samples),
    };
    measured = {
      baseline,
      withFlood,
      flood,
      floodStart,
      floodCalls: [...floodCalls],
      firstWindow,
      observeUntil,
      providerPerHour: providerPerHour(providerSeries),
      stages,
      floodOutcomes: (outcome) =>
        sumMetric(
          metrics,
          'so_worker_enrichments_total',
          (l) =>
            l.includes(`tenant="${flooder.contextIdentifier}"`) &&
            l.includes(`outcome="${outcome}"`),
        ),
      connections: { idle100, busy100 },
      load: { baseline: usage(c0, c1), withFlood: usage(c1, c2) },
    };
  } finally {
    await system.stop();
  }
  const idle1 = await idleConnections(1, sims[0]!, workerEnv);
  const idle1000 = await idleConnections(1000, sims[0]!, workerEnv);
  await Promise.all(sims.map((sim) => sim.stop()));
  measured = { ...measured, connections: { ...measured.connections, idle1, idle1000 } };

  const { markdown, summary } = tenantsMarkdown(measured, {
    ...SETTINGS,
    floodEvents,
    seconds,
    quick: args.quick,
    header:
      args.out === undefined
        ? `${machineHeader(`node dist/tenants.bench.js${args.quick ? ' --quick' : ''}`)}\n\n`
        : '',
    totalS: (performance.now() - started) / 1000,
  });
  writeSection(args.out, markdown, summary);
}

runMain('tenants', main);
