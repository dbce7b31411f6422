// Benchmark 6: what the reconciliation sweep costs on top of healthy webhooks. The day of benchmark 4
// (same seed) is replayed twice through the real system (built receiver + worker, private
// redis-server): once with the sweep off (the webhook path alone: the baseline) and once with the
// sweep scheduled every 5 minutes of the day's time. Counted in the same run: record reads
// (`GET Contact/{id}`, `GET Person/{id}`) per relevant change, what the sweeps enqueued
// (so_worker_reconcile_enqueued_total), provider calls; and, for the previous sweep (which enqueued
// every row its window returned), the reads it would have added, modelled from run B's own saves.
import { Redis } from 'ioredis';
import { createMaintenanceQueue, reconcileResultSchema } from '@so-connector/queue';
import type { RunningSimulator } from '@so-connector/superoffice-simulator';
import { machineHeader, parseArgs, ratio, runMain, writeSection } from './bench-common';
import { generateDay, type TrafficDay } from './traffic-day';
import { replay } from './traffic-replay';
import { startTrafficSystem } from './traffic-system';

const RANDOM_SEED = 20_261_123;
const DEBOUNCE_MS = 1000;
const MAX_WAIT_MS = 5000;
const CONCURRENCY = 4;
const DAY_MINUTES = 24 * 60;
/** RECONCILE_OVERLAP_MS of the sweep, in minutes of a day. */
const OVERLAP_MINUTES = 2;

interface Save {
  readonly at: number;
  readonly key: string;
  readonly person: boolean;
}

interface Run {
  readonly reads: number;
  readonly sweeps: number;
  readonly sweepEnqueued: number;
  readonly providerCalls: number;
  readonly saves: readonly Save[];
  readonly started: number;
  /** Sum over the sweeps of their reasons (event-handled, unchanged, too-recent, …). */
  readonly reasons: Record<string, number>;
}

async function sweepReasons(redisUrl: string, prefix: string): Promise<Record<string, number>> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = createMaintenanceQueue(connection, prefix);
  try {
    const out: Record<string, number> = {};
    for (const job of await queue.getCompleted(0, -1)) {
      const result = reconcileResultSchema.safeParse(job.returnvalue);
      for (const [reason, n] of Object.entries(result.data?.reasons ?? {}))
        out[reason] = (out[reason] ?? 0) + n;
    }
    return out;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

function watchSaves(sim: RunningSimulator, saves: Save[]): void {
  sim.state.on('change', (c) => {
    if (c.event.endsWith('.deleted')) return;
    saves.push({
      at: Date.now(),
      key: `${c.entity}:${c.primaryKey}`,
      person: c.entity === 'person',
    });
  });
}

async function runDay(day: TrafficDay, sweepEveryMs: number): Promise<Run> {
  const system = await startTrafficSystem({
    simulator: { seed: day.seed },
    workerEnv: {
      ENRICH_DEBOUNCE_MS: String(DEBOUNCE_MS),
      ENRICH_MAX_WAIT_MS: String(MAX_WAIT_MS),
      WORKER_CONCURRENCY: String(CONCURRENCY),
      RECONCILE_INTERVAL_MS: String(sweepEveryMs),
    },
  });
  try {
    const { sim } = system;
    const saves: Save[] = [];
    watchSaves(sim, saves);
    sim.counters.reset();
    const provider0 = await system.metric('so_worker_provider_calls_total');
    const swept0 = await system.metric('so_worker_reconcile_enqueued_total');
    const started = Date.now();
    await replay(sim, day.steps);
    await system.settled(180_000);
    return {
      reads: sim.counters.get('GET Contact/{id}') + sim.counters.get('GET Person/{id}'),
      // Every sweep queries the person feed once (company lookups use the contact feed).
      sweeps: sim.counters.get('GET Person'),
      sweepEnqueued: (await system.metric('so_worker_reconcile_enqueued_total')) - swept0,
      providerCalls: (await system.metric('so_worker_provider_calls_total')) - provider0,
      saves,
      started,
      reasons: await sweepReasons(system.redisUrl, system.prefix),
    };
  } finally {
    await system.stop();
  }
}

/**
 * The previous sweep enqueued every record updated in its window (interval + overlap) and each
 * became a read (a person's company too): the reads it would have added to run B's day.
 */
function previousSweepReads(run: Run, everyMs: number, overlapMs: number, end: number): number {
  let reads = 0;
  for (let tick = run.started + everyMs; tick <= end; tick += everyMs) {
    const seen = new Map<string, boolean>();
    for (const s of run.saves)
      if (s.at > tick - everyMs - overlapMs && s.at <= tick) seen.set(s.key, s.person);
    for (const person of seen.values()) reads += person ? 2 : 1;
  }
  return reads;
}

async function main(): Promise<void> {
  const args = parseArgs();
  const size = args.quick
    ? { contacts: 20, personsPerContact: 2, episodes: 110, durationMs: 14_000 }
    : { contacts: 120, personsPerContact: 2, episodes: 900, durationMs: 90_000 };
  const day = generateDay({ randomSeed: RANDOM_SEED, debounceMs: DEBOUNCE_MS, ...size });
  const relevant = day.steps.filter((s) => s.relevant).length;
  const irrelevant = day.steps.length - relevant;
  const minute = day.durationMs / DAY_MINUTES;
  const everyMs = Math.max(200, Math.round(5 * minute));

  const webhooksOnly = await runDay(day, 0);
  process.stdout.write(
    `webhooks only: ${webhooksOnly.reads} record reads, ${webhooksOnly.providerCalls} provider calls\n`,
  );
  const withSweep = await runDay(day, everyMs);
  process.stdout.write(
    `with sweep:    ${withSweep.reads} record reads, ${withSweep.sweeps} sweeps enqueued ${withSweep.sweepEnqueued}, ${withSweep.providerCalls} provider calls; reasons ${JSON.stringify(withSweep.reasons)}\n`,
  );
  const lastSave = Math.max(...withSweep.saves.map((s) => s.at));
  const previous = previousSweepReads(
    withSweep,
    everyMs,
    OVERLAP_MINUTES * minute,
    lastSave + everyMs,
  );
  const per = (n: number) => (n / Math.max(1, relevant)).toFixed(2);
  const extraReads = withSweep.reads - webhooksOnly.reads;

  const markdown = `## 6. Reconciliation sweep on top of healthy webhooks

${args.out === undefined ? `${machineHeader(`node dist/sweep.bench.js${args.quick ? ' --quick' : ''}`)}\n\n` : ''}The day of benchmark 4 (seed ${RANDOM_SEED}${args.quick ? ', the `--quick` day' : ''}: ${day.steps.length} human actions, ${relevant} relevant changes, ${irrelevant}
irrelevant ones) replayed in ${day.durationMs / 1000} s through the built receiver and worker, twice: **A** with the
sweep off (RECONCILE_INTERVAL_MS=0, the webhook path alone) and **B** with the sweep scheduled every
${everyMs} ms = 5 minutes of the day's time (${withSweep.sweeps} sweeps ran; each looks back to the previous one minus
the 2-minute overlap, which in this compressed day covers ${((2 * 60_000) / day.durationMs).toFixed(1)}× the whole day: every sweep sees
every record changed so far). A record read is \`GET Contact/{id}\` or \`GET Person/{id}\` (an enrichment
of a person reads its company too); bursts of saves to one record are one enrichment, so reads per
relevant change are below 1 on the webhook path.

| per relevant change | A: webhooks only | B: webhooks + sweep every 5 min | B / A | A total | B total |
|---|---|---|---|---|---|
| SuperOffice record reads | ${per(webhooksOnly.reads)} | ${per(withSweep.reads)} | **${ratio(withSweep.reads, webhooksOnly.reads)}** | ${webhooksOnly.reads} | ${withSweep.reads} |
| provider calls | ${per(webhooksOnly.providerCalls)} | ${per(withSweep.providerCalls)} | ${ratio(withSweep.providerCalls, webhooksOnly.providerCalls)} | ${webhooksOnly.providerCalls} | ${withSweep.providerCalls} |

| check | value | target |
|---|---|---|
| records the sweeps enqueued (so_worker_reconcile_enqueued_total, B) | ${withSweep.sweepEnqueued} | 0 with healthy webhooks |
| the sweeps' decisions over the rows they saw, summed over the sweep results BullMQ keeps (the last 200; B) | ${Object.entries(
    withSweep.reasons,
  )
    .map(([r, n]) => `${r} ${n}`)
    .join(', ')} | — |
| record reads B − A (reads the sweep caused, relevant and irrelevant changes) | ${extraReads} | 0 |
| reads for the ${irrelevant} irrelevant changes (B; the webhook path skips them, the sweep enqueued ${withSweep.sweepEnqueued}) | ≤ ${Math.max(0, extraReads)} | 0 |
| the previous sweep (every row of its window enqueued), modelled on B's saves: reads it adds | ${previous} (${per(previous)} per relevant change; ${per(webhooksOnly.reads + previous)} in all, vs ${per(withSweep.reads)}) | — |

The model of the previous sweep counts, for each 5-minute tick of B, the records saved (by a human
or by the connector's write-back) in the tick's window with the day-scaled overlap (${OVERLAP_MINUTES} min), a
person as 2 reads; it ignores deduplication with a pending enrichment, so it is an upper bound.
`;
  writeSection(args.out, markdown, [
    '6. Reconciliation sweep',
    'record reads with the sweep every 5 min / webhooks only',
    `**${ratio(withSweep.reads, webhooksOnly.reads)}**`,
    `${per(withSweep.reads)} reads per relevant change (webhooks only ${per(webhooksOnly.reads)}; previous sweep model ${per(webhooksOnly.reads + previous)}); sweep-enqueued ${withSweep.sweepEnqueued}, irrelevant changes read ${Math.max(0, extraReads)}`,
  ]);
}

runMain('sweep', main);
