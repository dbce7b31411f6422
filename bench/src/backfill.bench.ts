// Benchmark 7: `so-connector backfill` of 5,000 companies against the simulator with 150 ms added
// to every API call, with 1 and 4 BUILT worker processes (benchmark 5's fleet): records/s, and
// the ratio 4/1 beside benchmark 5's live-traffic ratio measured in the same run; the private
// redis-server's memory during the run; and the same command a second time over the same records,
// whose provider calls (the workers' so_worker_provider_calls_total) must be 0.
import { loadavg } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES } from '@so-connector/queue';
import { startSimulator } from '@so-connector/superoffice-simulator';
import { freePort, waitFor } from '@so-connector/testing';
import { parseArgs, runMain, startRedis, writeSection } from './bench-common';
import {
  fleetMetric,
  keyFamilies,
  mib,
  redisMemory,
  runBackfillCli,
  sampleMemory,
  type RedisMemory,
} from './backfill-run';
import { backfillSection, type BackfillMeasurement, type Pass } from './backfill-section';
import { pending, type StartedProcess } from './bench-queue';
import {
  LATENCY_MS,
  createContacts,
  fleetEnv,
  measureLive,
  startWorkers,
  stopWorkers,
  type LiveMeasurement,
} from './worker-fleet';

const { quick, out } = parseArgs();
const COMPANIES = quick ? 150 : 5000;
const LIVE_CONTACTS = quick ? 30 : 200;
const PROCESSES = [1, 4] as const;
/** Far above what the fleet reaches: the benchmark measures capacity, not the pacing. */
const RATE_PER_MINUTE = 600_000;
const SUMMARY_UDF = 'SuperOffice:84';

/** One backfill measurement on a fresh redis-server and simulator with `processes` workers. */
async function measureBackfill(
  processes: number,
): Promise<Omit<BackfillMeasurement, 'liveBefore' | 'liveAfter'>> {
  const redis = await startRedis();
  const sim = await startSimulator();
  sim.faults.latencyMs = LATENCY_MS;
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const prefix = `bench-backfill-${processes}`;
  const enrich = new Queue(QUEUE_NAMES.enrich, { connection, prefix });
  const ports = await Promise.all(Array.from({ length: processes }, () => freePort()));
  const env = fleetEnv(redis.url, prefix, sim);
  const workers: StartedProcess[] = [];
  try {
    workers.push(
      ...(await startWorkers(processes, (i) => ({ ...env, METRICS_PORT: String(ports[i]) }))),
    );
    const ids = createContacts(sim, COMPANIES, `bf${processes}p`).map((e) => e.PrimaryKey);
    const before = await redisMemory(connection);

    const pass = async (): Promise<Pass> => {
      const provider0 = await fleetMetric(ports, 'so_worker_provider_calls_total');
      const written0 = await fleetMetric(ports, 'so_worker_enrichments_total', (l) =>
        l.includes('outcome="written"'),
      );
      const calls0 = sim.counters.total();
      const routes0 = sim.counters.snapshot();
      const patches0 = sim.counters.total('PATCH ');
      const loadBefore = loadavg()[0]!;
      const started = performance.now();
      const { cliMs, result } = await runBackfillCli(env, ['--rate', String(RATE_PER_MINUTE)]);
      await waitFor(async () => (await pending([enrich])) === 0, {
        timeoutMs: 600_000,
        intervalMs: 20,
        what: 'so-enrich to drain',
      });
      const ms = performance.now() - started;
      return {
        ms,
        cliMs,
        result,
        load: [loadBefore, loadavg()[0]!],
        providerCalls: (await fleetMetric(ports, 'so_worker_provider_calls_total')) - provider0,
        written:
          (await fleetMetric(ports, 'so_worker_enrichments_total', (l) =>
            l.includes('outcome="written"'),
          )) - written0,
        soCalls: sim.counters.total() - calls0,
        soRoutes: Object.fromEntries(
          Object.entries(sim.counters.snapshot())
            .map(([route, n]) => [route, n - (routes0[route] ?? 0)] as const)
            .filter(([, n]) => n > 0),
        ),
        patches: sim.counters.total('PATCH ') - patches0,
      };
    };

    const sampler = sampleMemory(connection);
    const first = await pass();
    const sampledMax = await sampler.stop();
    const afterFirst: RedisMemory = await redisMemory(connection);
    const keysAfterFirst = await connection.dbsize();
    const families = await keyFamilies(connection);
    const empty = ids.filter(
      (id) =>
        !(sim.state.get('contact', id)?.UserDefinedFields as Record<string, string> | undefined)?.[
          SUMMARY_UDF
        ],
    );
    if (empty.length > 0)
      throw new Error(`${processes} process(es): ${empty.length} of ${ids.length} not enriched`);
    const second = await pass();
    const afterSecond = await redisMemory(connection);
    process.stdout.write(
      `[backfill] ${processes} process(es): ${first.result.enqueued} records in ${first.ms.toFixed(0)} ms = ${((first.result.enqueued / first.ms) * 1000).toFixed(1)}/s; Redis ${mib(before.used)} → max ${mib(sampledMax)} (peak ${mib(afterFirst.peak)}) → ${mib(afterFirst.used)}; second run: ${second.providerCalls} provider calls, ${second.soCalls} SO calls, ${second.ms.toFixed(0)} ms\n`,
    );
    return {
      processes,
      first,
      second,
      memory: { before, sampledMax, afterFirst, keysAfterFirst, families, afterSecond },
    };
  } finally {
    await stopWorkers(workers);
    await enrich.close();
    connection.disconnect();
    await sim.stop();
    await redis.dispose();
  }
}

async function main(): Promise<void> {
  // Benchmark 5's live measurement, on its own redis-server and simulator, beside each backfill.
  const liveRedis = await startRedis();
  const liveSim = await startSimulator();
  liveSim.faults.latencyMs = LATENCY_MS;
  const liveConnection = new Redis(liveRedis.url, { maxRetriesPerRequest: null });
  const all: BackfillMeasurement[] = [];
  try {
    const live = async (processes: number, round: number): Promise<LiveMeasurement> => {
      const m = await measureLive(liveConnection, liveRedis.url, liveSim, {
        processes,
        round,
        contacts: LIVE_CONTACTS,
        tag: 'bflive',
      });
      process.stdout.write(
        `[backfill] live ${processes} process(es): ${m.enrichments} enrichments = ${m.perS.toFixed(1)}/s\n`,
      );
      return m;
    };
    for (const processes of PROCESSES) {
      const liveBefore = await live(processes, 1);
      const backfill = await measureBackfill(processes);
      all.push({ ...backfill, liveBefore, liveAfter: await live(processes, 2) });
    }
  } finally {
    liveConnection.disconnect();
    await liveSim.stop();
    await liveRedis.dispose();
  }
  const { markdown, summary } = backfillSection(all, {
    companies: COMPANIES,
    liveContacts: LIVE_CONTACTS,
    ratePerMinute: RATE_PER_MINUTE,
  });
  writeSection(out, markdown, summary);
}

runMain('backfill', main);
