// Benchmark 4: cost of a day of traffic. One generated day (seeded: same seed, same day) is replayed
// twice on fresh simulated tenants: through the real system (built receiver + worker, private
// redis-server with AOF everysec, the simulator's own signed webhooks) and through a baseline that
// processes every whitelisted event as the prototype did (cost-baseline.ts). Counted in the same
// run: SuperOffice API calls (the simulator's counters), provider calls (the worker's
// so_worker_provider_calls_total; the baseline counts its own), PATCHes; per relevant change.
import { startSimulator, type RunningSimulator } from '@so-connector/superoffice-simulator';
import { machineHeader, parseArgs, ratio, runMain, writeSection } from './bench-common';
import { expectedUdfs, startBaseline } from './cost-baseline';
import { generateDay, type TrafficDay } from './traffic-day';
import { replay, settleWith } from './traffic-replay';
import { startTrafficSystem, TRAFFIC_UDF } from './traffic-system';

const RANDOM_SEED = 20_261_123;
const DEBOUNCE_MS = 1000;
const MAX_WAIT_MS = 5000;
const CONCURRENCY = 4;
/** Share of SuperOffice API calls answered 500 in the fault run. */
const FAULT_RATE = 0.3;

interface RunResult {
  readonly label: string;
  readonly soCalls: number;
  readonly byRoute: Record<string, number>;
  readonly providerCalls: number;
  readonly patches: number;
  /** Saves by the API user that the simulator accepted. */
  readonly writes: number;
  readonly deliveries: number;
  readonly echoSkips: number | undefined;
  readonly replayLateMs: number;
  readonly settleMs: number;
  /** Final UDF values of the records the day enriches (for the cross-check). */
  readonly udfs: Map<string, string>;
  /** SuperOffice calls the worker saw answered 500 (the injected faults). */
  readonly serverErrors: number;
  /**
   * Distinct inputs the provider was asked about: the worker keeps one provider-result key per
   * input fingerprint, so provider calls beyond this count asked again about the same input.
   */
  readonly distinctInputs: number | undefined;
}

function watchWrites(sim: RunningSimulator): () => number {
  let writes = 0;
  sim.state.on('change', (c) => {
    if (c.changedByAssociateId === sim.state.apiUser.associateId) writes++;
  });
  return () => writes;
}

const keysOf = (kind: 'contact' | 'person') =>
  kind === 'contact'
    ? [TRAFFIC_UDF.vertical, TRAFFIC_UDF.summary, TRAFFIC_UDF.opener]
    : [TRAFFIC_UDF.personOpener];

function finalUdfs(sim: RunningSimulator, day: TrafficDay): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of day.windows) {
    const udfs = (sim.state.get(w.kind, w.id)?.UserDefinedFields ?? {}) as Record<string, unknown>;
    out.set(`${w.kind}:${w.id}`, JSON.stringify(keysOf(w.kind).map((k) => udfs[k] ?? '')));
  }
  return out;
}

/** Per record: the provider's values for its inputs at its last window with a changed fingerprint. */
async function expectedFinalUdfs(day: TrafficDay): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const items = day.seed.verticalList.items;
  for (const w of day.windows) {
    if (!w.changed) continue;
    const values = await expectedUdfs(
      w.inputs.kind === 'person'
        ? { person: w.inputs.person, company: w.inputs.company }
        : { company: w.inputs.company },
      items,
    );
    out.set(`${w.kind}:${w.id}`, JSON.stringify(keysOf(w.kind).map((k) => values[k] ?? '')));
  }
  return out;
}

function apiCalls(sim: RunningSimulator): { total: number; byRoute: Record<string, number> } {
  const byRoute = sim.counters.snapshot();
  delete byRoute['GET state'];
  return { total: Object.values(byRoute).reduce((a, b) => a + b, 0), byRoute };
}

async function runConnector(day: TrafficDay, errorRate = 0): Promise<RunResult> {
  const system = await startTrafficSystem({
    simulator: { seed: day.seed, randomSeed: RANDOM_SEED },
    workerEnv: {
      ENRICH_DEBOUNCE_MS: String(DEBOUNCE_MS),
      ENRICH_MAX_WAIT_MS: String(MAX_WAIT_MS),
      WORKER_CONCURRENCY: String(CONCURRENCY),
      // Under 30 % 5xx a job may need many attempts (as in the fault suite's system): none may
      // run out of them, and the waits stop growing at 2 s. Without faults no job retries.
      ENRICH_ATTEMPTS: '50',
      ENRICH_BACKOFF_MAX_MS: '2000',
    },
  });
  try {
    const { sim } = system;
    const writes = watchWrites(sim);
    sim.counters.reset(); // from here on: the day (the worker's first-use calls included)
    sim.faults.errorRate = errorRate;
    const errorsBefore = await system.metric('so_worker_superoffice_calls_total', (l) =>
      l.includes('status="500"'),
    );
    const providerBefore = await system.metric('so_worker_provider_calls_total');
    const lateMs = await replay(sim, day.steps);
    const replayEnd = Date.now();
    await system.settled(180_000);
    const settleMs = Date.now() - replayEnd;
    const calls = apiCalls(sim);
    return {
      label: errorRate > 0 ? `so-connector, ${errorRate * 100} % SuperOffice 5xx` : 'so-connector',
      distinctInputs: (await system.redis.keys(`${system.prefix}:provider-result:*`)).length,
      serverErrors:
        (await system.metric('so_worker_superoffice_calls_total', (l) =>
          l.includes('status="500"'),
        )) - errorsBefore,
      soCalls: calls.total,
      byRoute: calls.byRoute,
      providerCalls: (await system.metric('so_worker_provider_calls_total')) - providerBefore,
      patches: sim.counters.total('PATCH '),
      writes: writes(),
      deliveries: sim.deliveries.length,
      echoSkips: await system.metric('so_worker_events_total', (l) => l.includes('reason="echo"')),
      replayLateMs: lateMs,
      settleMs,
      udfs: finalUdfs(sim, day),
    };
  } finally {
    await system.stop();
  }
}

async function runBaseline(day: TrafficDay): Promise<RunResult> {
  const sim = await startSimulator({ seed: day.seed, retryScale: 0.01 });
  const baseline = await startBaseline(sim, CONCURRENCY);
  try {
    const writes = watchWrites(sim);
    sim.counters.reset();
    const lateMs = await replay(sim, day.steps);
    const replayEnd = Date.now();
    await settleWith(sim, () => baseline.idle(), { timeoutMs: 180_000 });
    const settleMs = Date.now() - replayEnd;
    const calls = apiCalls(sim);
    return {
      label: 'baseline (prototype model)',
      serverErrors: 0,
      distinctInputs: undefined,
      soCalls: calls.total,
      byRoute: calls.byRoute,
      providerCalls: baseline.providerCalls(),
      patches: sim.counters.total('PATCH '),
      writes: writes(),
      deliveries: sim.deliveries.length,
      echoSkips: undefined,
      replayLateMs: lateMs,
      settleMs,
      udfs: finalUdfs(sim, day),
    };
  } finally {
    await baseline.stop();
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const args = parseArgs();
  const size = args.quick
    ? { contacts: 20, personsPerContact: 2, episodes: 110, durationMs: 14_000 }
    : { contacts: 120, personsPerContact: 2, episodes: 900, durationMs: 90_000 };
  const day = generateDay({ randomSeed: RANDOM_SEED, debounceMs: DEBOUNCE_MS, ...size });
  const relevant = day.steps.filter((s) => s.relevant).length;
  const irrelevant = day.steps.length - relevant;
  const changedWindows = day.windows.filter((w) => w.changed).length;
  const creates = day.steps.filter((s) => s.op === 'create').length;
  process.stdout.write(
    `day: ${day.steps.length} human actions (${relevant} relevant, ${creates} creates), ${day.windows.length} windows, ${changedWindows} with a changed fingerprint\n`,
  );

  const connector = await runConnector(day);
  process.stdout.write(
    `so-connector: ${connector.soCalls} SO calls, ${connector.providerCalls} provider calls, ${connector.patches} PATCHes, settled ${connector.settleMs} ms after the replay\n`,
  );
  const faulty = await runConnector(day, FAULT_RATE);
  process.stdout.write(
    `with ${FAULT_RATE * 100} % 5xx: ${faulty.soCalls} SO calls (${faulty.serverErrors} answered 500), ${faulty.providerCalls} provider calls, ${faulty.patches} PATCHes, settled ${faulty.settleMs} ms after the replay\n`,
  );
  const baseline = await runBaseline(day);
  process.stdout.write(
    `baseline:     ${baseline.soCalls} SO calls, ${baseline.providerCalls} provider calls, ${baseline.patches} PATCHes, settled ${baseline.settleMs} ms after the replay\n`,
  );

  const per = (n: number) => (n / Math.max(1, relevant)).toFixed(2);
  const row = (what: string, pick: (r: RunResult) => number) =>
    `| ${what} | ${per(pick(connector))} | ${per(pick(baseline))} | **${ratio(pick(connector), pick(baseline))}** | ${pick(connector)} | ${pick(baseline)} |`;
  const providerOk = connector.providerCalls <= changedWindows;
  const echoCaused = Math.max(0, connector.providerCalls - changedWindows);
  const expected = await expectedFinalUdfs(day);
  const differingIn = (r: RunResult) =>
    [...expected].filter(([k, v]) => r.udfs.get(k) !== v).length;
  const differing = differingIn(connector);
  const faultRow = (what: string, pick: (r: RunResult) => number) =>
    `| ${what} | ${pick(connector)} | ${pick(faulty)} | **${ratio(pick(faulty), pick(connector))}** |`;
  const faultDiffering = [...expected].filter(([k, v]) => faulty.udfs.get(k) !== v).map(([k]) => k);
  // Which records, and the one cause seen so far (so a new cause shows as a contradiction).
  for (const k of faultDiffering)
    process.stdout.write(
      `fault run, ${k}: ${faulty.udfs.get(k)}\n  expected:  ${expected.get(k)}\n  no faults: ${connector.udfs.get(k)}\n`,
    );
  const faultDiffNote = faultDiffering.length
    ? `\nRecords that differ in the fault run: ${faultDiffering.slice(0, 10).join(', ')}. The ground truth takes a person's
company as it was at the person's window; a person job held up by the faults reads its company when it finally
runs, and may see a later change (a rename, or the person moved to another company).\n`
    : '';
  const repeats = (r: RunResult) => r.providerCalls - (r.distinctInputs ?? 0);
  const faultProviderOk = ratio(faulty.providerCalls, connector.providerCalls) === '1.00×';
  const routes = [...new Set([...Object.keys(connector.byRoute), ...Object.keys(baseline.byRoute)])]
    .sort()
    .map((r) => `| \`${r}\` | ${connector.byRoute[r] ?? 0} | ${baseline.byRoute[r] ?? 0} |`);
  const episodeRows = Object.entries(day.episodes).map(([type, n]) => {
    const ws = day.windows.filter((w) => w.episode === type);
    return `| ${type} | ${n} | ${ws.reduce((a, w) => a + w.events, 0)} | ${ws.length} | ${ws.filter((w) => w.changed).length} |`;
  });

  const markdown = `## 4. Cost of a day: so-connector vs the prototype's processing model

${args.out === undefined ? `${machineHeader(`node dist/cost.bench.js${args.quick ? ' --quick' : ''}`)}\n\n` : ''}A day of mixed traffic generated from seed ${RANDOM_SEED}${args.quick ? ' (the `--quick` day: smaller)' : ''}: ${size.contacts} companies with
${size.personsPerContact} persons each to start with, ${day.steps.length} human actions by the tenant's two users (${creates} creates,
${relevant - creates} relevant changes, ${irrelevant} irrelevant changes), bursts of saves to one record, reverts
and case-only edits. Idle time is cut: the day is replayed in ${day.durationMs / 1000} s, with the debounce window
scaled with it (ENRICH_DEBOUNCE_MS=${DEBOUNCE_MS}, ENRICH_MAX_WAIT_MS=${MAX_WAIT_MS}; saves within a burst 80–250 ms apart; a record's next
relevant episode at least ${(DEBOUNCE_MS + 2500) / 1000} s after its last one, so each episode is exactly one window). Echoes are
not generated: they are the webhooks the simulator sends for each system's own writes.

Both runs start from the same tenant and apply the same actions at the same offsets (simulator
\`editAs\`/\`createAs\`, so every event is a real signed webhook delivery):
- **so-connector**: built receiver + worker processes (concurrency ${CONCURRENCY}, builtin provider), a private
  redis-server (AOF everysec), the simulator as SuperOffice.
- **baseline**: the prototype's model, in the bench process: for every \`contact/person.created/changed\`
  event, whatever the columns and including its own echoes, GET the record (a person's company too),
  call the same builtin provider, PATCH the UDFs. It PATCHes only when a value differs: the prototype
  always PATCHed, and as every PATCH echoes, a literal copy never terminates (its ping-pong); so
  the baseline is cheaper than the prototype was and the ratios below are conservative.

"Relevant change" = a human event the filters pass (create, or a whitelisted column changed): ${relevant} in this day.

| per relevant change | so-connector | baseline | so-connector / baseline | so-connector total | baseline total |
|---|---|---|---|---|---|
${row('SuperOffice API calls', (r) => r.soCalls)}
${row('provider calls', (r) => r.providerCalls)}
${row('PATCH requests', (r) => r.patches)}
${row('writes accepted', (r) => r.writes)}
${row('webhook deliveries (incl. echoes)', (r) => r.deliveries)}

Targets, against the generator's ground truth:

| check | value | target | verdict |
|---|---|---|---|
| provider calls vs (record, debounce window) pairs with a changed fingerprint | ${connector.providerCalls} vs ${changedWindows} (of ${day.windows.length} windows) | ≤ | ${providerOk ? 'meets' : 'MISSES'} |
| provider calls caused by echoes (calls beyond the human-caused changed windows) | ${echoCaused} (echo events skipped by the filter: ${connector.echoSkips ?? '?'}) | 0 | ${echoCaused === 0 ? 'meets' : 'MISSES'} |
| so-connector: records whose final UDFs differ from the provider's output for their inputs at their last changed window | ${differing} of ${expected.size} | 0 | ${differing === 0 ? 'meets' : 'MISSES'} |

The same day again through the same system with ${FAULT_RATE * 100} % of SuperOffice API calls answered 500
(simulator \`faults.errorRate\`, seeded; ENRICH_ATTEMPTS=50, ENRICH_BACKOFF_MAX_MS=2000 in both runs). A provider
answer is kept by its input fingerprint as soon as it arrives (PROVIDER_RESULT_TTL_MS), so an attempt whose
read or PATCH failed does not ask the provider again on its retry:

| so-connector | no faults | ${FAULT_RATE * 100} % 5xx | with faults / without |
|---|---|---|---|
${faultRow('provider calls', (r) => r.providerCalls)}
${faultRow('SuperOffice API calls', (r) => r.soCalls)}
${faultRow('PATCH requests', (r) => r.patches)}
${faultRow('writes accepted', (r) => r.writes)}
| provider calls repeating an input already answered (calls − distinct input fingerprints) | ${repeats(connector)} | ${repeats(faulty)} | |
| SuperOffice calls answered 500 | ${connector.serverErrors} | ${faulty.serverErrors} | |
| records whose final UDFs differ from the provider's output (of ${expected.size}) | ${differing} | ${differingIn(faulty)} | |
${faultDiffNote}
Targets: provider calls with faults / without = 1.00×: ${faultProviderOk ? 'meets' : 'MISSES'}; no provider call repeats an input already answered: ${repeats(faulty) === 0 ? 'meets' : 'MISSES'}.${
    faulty.providerCalls !== connector.providerCalls && repeats(faulty) === 0
      ? `
The two counts differ (${faulty.providerCalls} vs ${connector.providerCalls}) only where a job held up by the faults ran after a later change
to what it reads: two windows enriched as one (a call fewer) or new inputs (a call more); none asked again about an input.`
      : ''
  }

Ground truth by episode (windows = relevant episodes; a window is "changed" when the fingerprint of
what the provider reads differs from the one at the record's last window):

| episode | count | relevant events | windows | changed windows |
|---|---|---|---|---|
${episodeRows.join('\n')}

SuperOffice API calls by route (token and first-use metadata calls included):

| route | so-connector | baseline |
|---|---|---|
${routes.join('\n')}

Replay fidelity: latest action ${connector.replayLateMs} ms / ${baseline.replayLateMs} ms behind schedule; settled ${connector.settleMs} ms / ${baseline.settleMs} ms after the last action (so-connector / baseline).
`;
  writeSection(args.out, markdown, [
    '4. Cost of a day',
    'provider calls per relevant change, so-connector / baseline',
    `**${ratio(connector.providerCalls, baseline.providerCalls)}**`,
    `SO calls ${ratio(connector.soCalls, baseline.soCalls)}, PATCHes ${ratio(connector.patches, baseline.patches)}; provider calls ${connector.providerCalls} ≤ ${changedWindows} changed windows: ${providerOk ? 'meets' : 'MISSES'}; echo-caused ${echoCaused}; provider calls with ${FAULT_RATE * 100} % SO 5xx / without: ${ratio(faulty.providerCalls, connector.providerCalls)}, ${repeats(faulty)} repeating an input`,
  ]);
}

runMain('cost', main);
