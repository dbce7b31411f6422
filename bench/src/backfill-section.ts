// Benchmark 7's section of bench/RESULTS.md, from its measurements (backfill.bench.ts).
import type { BackfillResult } from '@so-connector/queue';
import { mib, type KeyFamily, type RedisMemory } from './backfill-run';
import { CONCURRENCY, FLEET_SETTINGS, LATENCY_MS, type LiveMeasurement } from './worker-fleet';

/** One `so-connector backfill` run, timed until `so-enrich` is empty, with its measured calls. */
export interface Pass {
  /** From spawning the CLI until its job finished and `so-enrich` drained. */
  readonly ms: number;
  /** From spawning the CLI until it exited (everything enqueued). */
  readonly cliMs: number;
  /** What the CLI printed (its `providerCalls` and `superOfficeCalls` are estimates). */
  readonly result: BackfillResult;
  /** Measured: the workers' so_worker_provider_calls_total, summed, after − before. */
  readonly providerCalls: number;
  /** Measured: so_worker_enrichments_total{outcome="written"}, summed. */
  readonly written: number;
  /** Measured: the simulator's counters. */
  readonly soCalls: number;
  /** The same by route (`GET Contact/{id}` …), the routes called only. */
  readonly soRoutes: Readonly<Record<string, number>>;
  readonly patches: number;
  /** The 1-minute load average of the machine when the run started and when it ended. */
  readonly load: readonly [number, number];
}

export interface BackfillMeasurement {
  readonly processes: number;
  /** Benchmark 5's measurement with the same number of processes, just before and just after. */
  readonly liveBefore: LiveMeasurement;
  readonly liveAfter: LiveMeasurement;
  readonly first: Pass;
  readonly second: Pass;
  readonly memory: {
    /** Workers connected, nothing enqueued yet. */
    readonly before: RedisMemory;
    /** The largest `used_memory` read every 250 ms during the first run. */
    readonly sampledMax: number;
    readonly afterFirst: RedisMemory;
    readonly keysAfterFirst: number;
    /** The keys after the first run by family, largest first. */
    readonly families: readonly KeyFamily[];
    readonly afterSecond: RedisMemory;
  };
}

const perS = (p: Pass) => (p.result.enqueued / p.ms) * 1000;
const livePerS = (m: BackfillMeasurement) => (m.liveBefore.perS + m.liveAfter.perS) / 2;
const s = (ms: number) => (ms / 1000).toFixed(1);
const routes = (p: Pass) =>
  Object.entries(p.soRoutes)
    .map(([route, n]) => `${n} × \`${route}\``)
    .join(', ') || 'none';
const x = (value: number, digits = 2) => `${value.toFixed(digits)}×`;

export function backfillSection(
  all: readonly BackfillMeasurement[],
  setup: { companies: number; liveContacts: number; ratePerMinute: number },
): { markdown: string; summary: string[] } {
  const [one, top] = [all[0]!, all[all.length - 1]!];
  const backfillRatio = perS(top.first) / perS(one.first);
  const liveRatio = livePerS(top) / livePerS(one);
  const secondCalls = all.map((m) => m.second.providerCalls);
  const secondOk = secondCalls.every((c) => c === 0);

  const throughput = all.map(
    (m) =>
      `| ${m.processes} | ${m.processes * CONCURRENCY} | ${m.first.result.enqueued} | ${s(m.first.ms)} | ${perS(m.first).toFixed(1)} | ${m === one ? '1.00×' : `**${x(perS(m.first) / perS(one.first))}**`} | ${m.first.load.map((l) => l.toFixed(1)).join(' → ')} | ${livePerS(m).toFixed(1)} (${m.liveBefore.perS.toFixed(1)}, ${m.liveAfter.perS.toFixed(1)}) | ${m === one ? '1.00×' : x(livePerS(m) / livePerS(one))} | ${x(perS(m.first) / livePerS(m))} |`,
  );
  const firstRows = all.map(
    (m) =>
      `| ${m.processes} | ${m.first.result.matched} | ${m.first.result.enqueued} | ${m.first.written} | ${m.first.providerCalls} | ${m.first.soCalls} (${(m.first.soCalls / Math.max(1, m.first.result.enqueued)).toFixed(2)}/record) | ${m.first.patches} | ${s(m.first.cliMs)} | ${s(m.first.ms)} |`,
  );
  const memoryRows = all.map((m) => {
    const mem = m.memory;
    const records = Math.max(1, m.first.result.enqueued);
    return `| ${m.processes} | ${mib(mem.before.used)} | ${mib(mem.sampledMax)} | ${mib(mem.afterFirst.peak)} | ${mib(mem.afterFirst.used)} | ${mem.keysAfterFirst} | ${((mem.afterFirst.peak - mem.before.used) / records / 1024).toFixed(2)} KiB | ${((mem.afterFirst.used - mem.before.used) / records / 1024).toFixed(2)} KiB | ${mib(mem.afterSecond.used)} |`;
  });
  const records = Math.max(1, top.first.result.enqueued);
  const familyRows = top.memory.families
    .slice(0, 8)
    .map(
      (f) =>
        `| \`${f.family}\` | ${f.keys} | ${(f.bytes / 2 ** 20).toFixed(2)} MiB | ${(f.bytes / records / 1024).toFixed(2)} KiB |`,
    );
  const secondRows = all.map(
    (m) =>
      `| ${m.processes} | ${m.second.result.matched} | ${m.second.result.current} | ${m.second.result.enqueued} | **${m.second.providerCalls}** (CLI's estimate ${m.second.result.providerCalls}) | ${m.second.soCalls} (CLI's estimate ${m.second.result.superOfficeCalls}): ${routes(m.second)} | ${m.second.patches} | ${s(m.second.ms)} | ${m.second.providerCalls === 0 ? 'meets' : 'MISSES'} |`,
  );

  const markdown = `## 7. Backfill: ${setup.companies.toLocaleString('en')} companies with 1 and 4 worker processes

The simulator adds ${LATENCY_MS} ms to every API call and holds ${setup.companies.toLocaleString('en')} new companies, none enriched (the
"matched" count adds the simulator's few seed companies). Per process count, a fresh private redis-server (AOF off) and simulator; the workers are
benchmark 5's fleet (bench/src/worker-fleet.ts: \`apps/worker\` as built, started and ready before the clock
starts, each with ${FLEET_SETTINGS}). The clock starts when the built CLI is spawned,
\`so-connector backfill --rate ${setup.ratePerMinute} --json\` (the rate far above what is reached: this measures
capacity, not the pacing; the default is 60/min), and stops when the CLI has exited (its \`so-maintenance\`
job selected the companies with the OData feed, 500 rows a query, and enqueued them at the backfill
priority) and \`so-enrich\` is empty. One worker runs the backfill job; all of them enrich.

**Ratio to benchmark 5**: just before and just after each backfill, benchmark 5's own measurement (bench/src/worker-fleet.ts
\`measureLive\`: ${setup.liveContacts} new contacts, their \`contact.created\` events put onto a paused \`so-events\`, the
drain timed) runs with the same number of processes (the two averaged) on its own redis-server and simulator, in this same
run. The figure compared is each method's 4-process / 1-process ratio; "backfill / live" divides the
backfill's records/s by that live enrichments/s.

| processes | jobs in flight at most | records | first run s | records/s | vs 1 process | load average (1 min) start → end | live enrichments/s, mean (before, after) | live vs 1 process | backfill / live |
|---|---|---|---|---|---|---|---|---|---|
${throughput.join('\n')}

Backfill scale-out 4/1 = **${x(backfillRatio)}** against benchmark 5's live scale-out 4/1 = ${x(liveRatio)} measured in
the same run (backfill ratio / live ratio ${x(backfillRatio / liveRatio)}).

First run, measured (provider calls: the workers' \`so_worker_provider_calls_total\`, summed; written:
\`so_worker_enrichments_total{outcome="written"}\`; SuperOffice calls and PATCHes: the simulator's counters):

| processes | matched | enqueued | written | provider calls | SuperOffice calls | PATCHes | CLI exited s | drained s |
|---|---|---|---|---|---|---|---|---|
${firstRows.join('\n')}

Redis memory (INFO memory of the private redis-server): \`used_memory\` with the workers connected before
the run, the largest \`used_memory\` read every 250 ms during the first run, \`used_memory_peak\` after it
(the most since the server started), \`used_memory\` once \`so-enrich\` is empty (completed enrichment jobs
are kept a day, at most 10,000: \`enrichJobOptions\`), and after the second run:

| processes | before | max during the run | used_memory_peak | after | keys after | (peak − before) / record | (after − before) / record | after the second run |
|---|---|---|---|---|---|---|---|---|
${memoryRows.join('\n')}

The keys after the ${top.processes}-process first run by family (ids as \`*\`; MEMORY USAGE summed; the ${Math.min(8, top.memory.families.length)} largest of ${top.memory.families.length}):

| key family | keys | memory | per record |
|---|---|---|---|
${familyRows.join('\n')}

Second run: the same command again over the same records, right after the first drained (same
selection, so the same run id; a completed run begins anew). Target: provider calls = 0, measured.
The SuperOffice calls are listed by route: the feed queries, and anything a worker reads once per
process (the backfill job asks for the person target, so a worker reads the Person UDF layout the first
time it runs one; apps/worker/src/udf-targets.ts caches it per process).

| processes | matched | already current | enqueued | provider calls (measured) | SuperOffice calls (measured) | PATCHes | duration s | provider calls = 0 |
|---|---|---|---|---|---|---|---|---|
${secondRows.join('\n')}
`;
  const summary = [
    '7. Backfill',
    `records/s, ${top.processes} worker processes / 1 (${setup.companies.toLocaleString('en')} companies, API latency ${LATENCY_MS} ms)`,
    `**${x(backfillRatio)}**`,
    `${all.map((m) => `${m.processes}: ${perS(m.first).toFixed(1)}/s`).join(', ')}; benchmark 5's live 4/1 in the same run ${x(liveRatio)}; Redis peak ${mib(top.memory.afterFirst.peak)}; second run: provider calls ${secondCalls.join(' / ')} (${secondOk ? 'meets' : 'MISSES'} 0), SuperOffice calls ${all.map((m) => m.second.soCalls).join(' / ')}`,
  ];
  return { markdown, summary };
}
