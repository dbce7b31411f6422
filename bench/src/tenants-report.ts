// Benchmark 8's figures and its markdown section (see tenants.bench.ts for how they are measured).
import { DEFAULT_QUIET_EVENTS_PER_MINUTE } from '@so-connector/queue';
import { percentiles } from './bench-common';
import { connectionsByProcess, type ProcessConnections } from './tenants-connections';
import type { FloodResult } from './tenants-flood';
import { STAGES, type StageFigures } from './tenants-stages';
import type { CpuSeconds, TenantsSystem } from './tenants-system';
import type { QuietResult } from './tenants-traffic';

export type Connections = Record<'receiver' | 'worker', ProcessConnections>;

/**
 * CPU seconds per wall second of each process during a phase (CpuSeconds' fields as shares), and
 * the machine's 1-min load average at its start and end.
 */
export type PhaseLoad = CpuSeconds & {
  readonly seconds: number;
  readonly loadStart: number;
  readonly loadEnd: number;
};

export interface Measured {
  readonly baseline: QuietResult;
  readonly withFlood: QuietResult;
  readonly flood: FloodResult;
  readonly floodStart: number;
  /** When the flooding tenant's simulator received each SuperOffice API call (epoch ms). */
  readonly floodCalls: readonly number[];
  /** The first whole clock minute after the flood began, and the end of the observation. */
  readonly firstWindow: number;
  readonly observeUntil: number;
  /** The flooding tenant's provider calls (worker metric, result ok) per clock hour observed. */
  readonly providerPerHour: readonly { hour: number; calls: number }[];
  readonly stages: {
    readonly baseline: { figures: StageFigures; found: number };
    readonly withFlood: { figures: StageFigures; found: number };
  };
  floodOutcomes(outcome: string): number;
  readonly load: { readonly baseline: PhaseLoad; readonly withFlood: PhaseLoad };
  readonly connections: {
    readonly idle100: Connections;
    readonly busy100: Connections;
    readonly idle1?: Connections;
    readonly idle1000?: Connections;
  };
}

export interface ReportSettings {
  readonly tenants: number;
  readonly floodEvents: number;
  readonly seconds: number;
  readonly quietPerSecond: number;
  readonly quietCompanies: number;
  readonly apiLatencyMs: number;
  readonly concurrency: number;
  readonly soBudget: number;
  readonly providerBudget: number;
  readonly quick: boolean;
  readonly header: string;
  readonly totalS: number;
}

export async function countConnections(system: TenantsSystem): Promise<Connections> {
  const counts = await connectionsByProcess(system.redisUrl, system.redisPort, system.prefix, {
    receiver: system.receiver.pid ?? -1,
    worker: system.worker.pid ?? -1,
  });
  return { receiver: counts.receiver!, worker: counts.worker! };
}

/** The flooding tenant's SuperOffice calls per whole clock minute observed. */
export function callsPerWindow(
  calls: readonly number[],
  from: number,
  until: number,
): { start: number; calls: number }[] {
  const windows: { start: number; calls: number }[] = [];
  for (let start = from; start + 60_000 <= until; start += 60_000)
    windows.push({ start, calls: calls.filter((t) => t >= start && t < start + 60_000).length });
  return windows;
}

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

function latencyRow(name: string, r: QuietResult): string {
  const s = percentiles(r.latencies);
  const ms = (v: number) => v.toFixed(0);
  return `| ${name} | ${r.saves} | ${r.latencies.length} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} | ${r.missing} | ${r.refused} | ${r.lateMs} |`;
}

/** What the stage and CPU tables say, in figures (which stage grew, whether the processes were short of CPU). */
function analysis(m: Measured): string {
  const grew = STAGES.map((st) => ({
    st,
    p50: m.stages.withFlood.figures[st].p50 - m.stages.baseline.figures[st].p50,
    p99: m.stages.withFlood.figures[st].p99 - m.stages.baseline.figures[st].p99,
  }));
  const top = [...grew].sort((a, b) => b.p50 - a.p50)[0]!;
  const w = m.load.withFlood;
  const busy = (cpu: number, wait: number) =>
    `ready to run ${Math.round(Math.min(1, cpu + wait) * 100)} % of the time and on a CPU ${Math.round(cpu * 100)} %`;
  return `With the flood, each stage's p50 grew by ${grew.map((g) => `${g.p50} ms (${g.st.split(':')[0]})`).join(', ')};
the most: ${top.st} (+${top.p50} ms at p50, +${top.p99} ms at p99). During the flood the worker's main
thread was ${busy(w.worker, w.workerWait)}, the receiver's ${busy(w.receiver, w.receiverWait)}
(alone: worker ${busy(m.load.baseline.worker, m.load.baseline.workerWait)}). Where the wait for a CPU
is large next to the CPU used, the processes were short of CPU on the machine: every stage then slows
together (each step of a quiet job waits behind the flood's steps in the same event loop), rather
than one queue holding quiet jobs back.`;
}

function loadRow(name: string, l: PhaseLoad): string {
  const f = (v: number) => v.toFixed(2);
  return `| ${name} | ${l.seconds.toFixed(0)} | ${f(l.receiver)} | ${f(l.worker)} | ${f(l.redis)} | ${f(l.receiverWait)} | ${f(l.workerWait)} | ${f(l.benchWait)} | ${l.loadStart.toFixed(1)} → ${l.loadEnd.toFixed(1)} |`;
}

function connectionRows(m: Measured): string {
  const { idle1, idle100, busy100, idle1000 } = m.connections;
  const rows: [string, Connections | undefined][] = [
    ['1, idle after start', idle1],
    ['100, after the warm-up', idle100],
    ['100, after the flood', busy100],
    ['1,000, idle after start', idle1000],
  ];
  return rows
    .map(([name, c]) =>
      c
        ? `| ${name} | ${c.receiver.workers} | ${c.receiver.connections} | ${c.worker.workers} | ${c.worker.connections} | ${c.worker.blocked} |`
        : `| ${name} | not measured | | | | |`,
    )
    .join('\n');
}

/** The section and its summary cells. */
export function tenantsMarkdown(
  m: Measured,
  s: ReportSettings,
): { markdown: string; summary: string[] } {
  const base = percentiles(m.baseline.latencies);
  const flooded = percentiles(m.withFlood.latencies);
  const ratio = base.p99 > 0 ? flooded.p99 / base.p99 : 0;
  const windows = callsPerWindow(m.floodCalls, m.firstWindow, m.observeUntil);
  const maxShare = Math.max(0, ...windows.map((w) => w.calls / s.soBudget));
  const minShare = windows.length ? Math.min(...windows.map((w) => w.calls / s.soBudget)) : 0;
  const providerMax = Math.max(0, ...m.providerPerHour.map((h) => h.calls));
  const providerText = m.providerPerHour
    .map((h) => `${h.calls} in the hour from ${hhmm(h.hour)} UTC`)
    .join(', ');
  const meets = (ok: boolean) => (ok ? 'meets' : 'MISSES');
  const soOk = windows.length > 0 && maxShare <= 1.05;
  const providerOk = providerMax <= s.providerBudget * 1.05;
  const c = m.connections;
  const perLevel = [c.idle1, c.busy100, c.idle1000]
    .map((x) => (x ? `${x.worker.workers}/${x.worker.connections}` : '?'))
    .join(', ');
  const markdown = `## 8. Many tenants: one tenant's flood, budgets, connections

${s.header}${s.quick ? '_Quick run: a smaller flood over a shorter time; not the issue 12 figure._\n\n' : ''}${s.tenants} tenants in one deployment: the BUILT receiver and worker processes (WORKER_CONCURRENCY=${s.concurrency},
builtin provider, ENRICH_DEBOUNCE_MS=0, SO_RATE_LIMIT_PER_SECOND=1000, LOG_LEVEL info for the worker), a
private redis-server (AOF everysec), and one simulator per tenant on its own port (its own
ContextIdentifier, ${s.quietCompanies} companies, token endpoint; ${s.apiLatencyMs} ms added to every API call). The first tenant is
the environment's shorthand, the other ${s.tenants - 1} come from a \`TENANTS_FILE\`, each with its own webhook
secret. Fairness is what ships: fair priorities in the receiver (\`so-events\`) and the events stage
(\`so-enrich\`), above ${DEFAULT_QUIET_EVENTS_PER_MINUTE} events a minute (\`DEFAULT_QUIET_EVENTS_PER_MINUTE\`), and budget
deferral a window's worth at a time (\`retryWindow\`).

**Traffic.** ${s.tenants - 1} quiet tenants: ${s.quietPerSecond} saves a second in all, round-robin (about ${((s.quietPerSecond * 60) / (s.tenants - 1)).toFixed(0)} a minute per tenant), each a
human's rename of the tenant's next company in its simulator; this process then posts the webhook
SuperOffice would send for it (the simulator's own change, signed with the tenant's secret) to
\`/webhooks/superoffice/{ContextIdentifier}\`. **Latency = from that POST (the webhook received) to
the moment the tenant's simulator stores the connector's PATCH carrying the new name in the summary
UDF**, on one clock. The flooding tenant: ${s.floodEvents.toLocaleString('en')} companies renamed at once in its simulator (a mass
update), their ${s.floodEvents.toLocaleString('en')} webhooks posted evenly over ${s.seconds} s by a separate process
(bench/src/tenants-flood.ts, at most 64 in flight), each needing an enrichment. Its budget
(\`TENANTS_FILE\`): \`superofficeCallsPerMinute: ${s.soBudget}\`, \`providerCallsPerHour: ${s.providerBudget}\`.
Same processes, one after the other: a warm-up (every quiet tenant once, not measured), ${s.seconds} s of
quiet traffic alone, then the same ${s.seconds} s of quiet traffic with the flood.

| phase | saves | measured | p50 ms | p90 ms | p99 ms | max ms | missing | webhooks refused | load generator late ms |
|---|---|---|---|---|---|---|---|---|---|
${latencyRow('quiet tenants alone', m.baseline)}
${latencyRow('quiet tenants with the flood', m.withFlood)}

Where a save spends its time (p50 / p99 ms of each stage, from the timestamps BullMQ kept on the jobs;
${m.stages.baseline.found} and ${m.stages.withFlood.found} saves found):

| stage | alone p50 | alone p99 | with the flood p50 | with the flood p99 |
|---|---|---|---|---|
${STAGES.map((st) => `| ${st} | ${m.stages.baseline.figures[st].p50} | ${m.stages.baseline.figures[st].p99} | ${m.stages.withFlood.figures[st].p50} | ${m.stages.withFlood.figures[st].p99} |`).join('\n')}

CPU used during each phase (CPU seconds per second; 2 cores = 2.0), how long the main thread of the
receiver, the worker and the bench process (the simulators) waited for a CPU while ready to run
(run-queue wait from \`/proc/<pid>/schedstat\`, seconds per second), and the machine's 1-minute load
average (other work on the shared machine included) at its start and end:

| phase | wall s | receiver CPU | worker CPU | redis-server CPU | receiver wait | worker wait | bench wait | load average |
|---|---|---|---|---|---|---|---|---|
${loadRow('quiet tenants alone', m.load.baseline)}
${loadRow('quiet tenants with the flood', m.load.withFlood)}

${analysis(m)}

**p99 with the flood / p99 without = ${ratio.toFixed(2)}×** (target ≤ 1.5×: ${meets(ratio <= 1.5)}); p50 ${(flooded.p50 / Math.max(1, base.p50)).toFixed(2)}×.
The flood as sent: ${m.flood.accepted} of ${m.flood.sent} webhooks answered 200 (${m.flood.refused} other statuses, ${m.flood.errors} errors) in
${(m.flood.ms / 1000).toFixed(1)} s, the sender at most ${m.flood.lateMs} ms behind its schedule.
"missing": measured saves whose value had not arrived 30 s after the last save.

**Budgets.** The flooding tenant's SuperOffice API calls as its simulator received them (token
calls excluded), per whole clock minute (the budget's window) from the first one after the flood
began; and its provider calls (the worker's \`so_worker_provider_calls_total\`, result ok, read every
500 ms) per clock hour from the flood's start to the end of the observation.

| window (UTC) | SuperOffice calls | budget | calls / budget |
|---|---|---|---|
${windows.map((w) => `| ${hhmm(w.start)} | ${w.calls} | ${s.soBudget} | ${(w.calls / s.soBudget).toFixed(3)} |`).join('\n')}

${
  windows.length === 0
    ? 'No whole window was observed (a quick run does not wait for one): the budget is not measured.'
    : `Most in a window: ${(maxShare * 100).toFixed(1)} % of the budget (within 5 %: ${meets(soOk)}); least ${(minShare * 100).toFixed(1)} %
(a window that used less than the budget had less work left to do or lost time to deferral).`
}
Provider calls: ${providerText}, budget ${s.providerBudget} an hour (${meets(providerOk)}). The flooding tenant's enrichments by outcome
at the end: written ${m.floodOutcomes('written')}, unchanged ${m.floodOutcomes('unchanged')}, skipped ${m.floodOutcomes('skipped')}, failed ${m.floodOutcomes('failed')}
(the rest is deferred: delayed until its budget frees up, not failed).

**Connections.** BullMQ workers (named worker connections, \`Queue.getWorkers()\`) and Redis
connections of each process, from \`CLIENT LIST\` matched to the process through the kernel (client
port → socket inode in \`/proc/net/tcp\` → \`/proc/<pid>/fd\`); "blocked" = the worker's connections
blocked in a command at that moment. At 1 and 1,000 registered tenants the processes are started
with that registry and counted idle after 3 s (the 1,000 tenants point at one simulator and are
never called: a tenant's SuperOffice client is built on its first job).

| registered tenants | receiver BullMQ workers | receiver connections | worker BullMQ workers | worker connections | worker blocked |
|---|---|---|---|---|---|
${connectionRows(m)}

Run time ${s.totalS.toFixed(0)} s.
`;
  return {
    markdown,
    summary: [
      '8. Many tenants',
      `p99 latency of ${s.tenants - 1} quiet tenants, one tenant flooding ${s.floodEvents.toLocaleString('en')} events in ${s.seconds} s / without`,
      `**${ratio.toFixed(2)}×**`,
      `p99 ${base.p99.toFixed(0)} → ${flooded.p99.toFixed(0)} ms (target ≤ 1.5×: ${meets(ratio <= 1.5)}); flooding tenant's SuperOffice calls ${windows.length ? `≤ ${(maxShare * 100).toFixed(1)} % of its budget per minute (${meets(soOk)})` : 'per minute not measured (quick run)'}, provider calls ≤ ${providerMax}/${s.providerBudget} an hour (${meets(providerOk)}); worker BullMQ workers/Redis connections at 1, 100, 1,000 tenants: ${perLevel}`,
    ],
  };
}
