// Benchmark 10 (issue 13): ingest and end-to-end throughput on one redis-server and on a Redis
// Cluster of 1, 2 and 3 masters, with QUEUE_PARTITIONS=6 and 12 tenants everywhere, the same
// built receiver and 4 built workers; every figure a ratio to the single node in the same run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mean, parseArgs, runMain, writeSection } from './bench-common';
import {
  API_LATENCY_MS,
  CONNECTIONS,
  PARTITIONS,
  WORKER_CONCURRENCY,
  WORKERS,
  measureEndToEnd,
  measureIngest,
  type Deployment,
  type Measurement,
} from './cluster-measure';
import { evenTenants, startTopology, type Topology } from './cluster-system';
import { secretOf, seedFor, startSimulators, tenantsFile } from './tenants-system';
import { generateDay } from './traffic-day';

const { quick, out } = parseArgs();
const TENANTS = 12;
const INGEST_SECONDS = quick ? 3 : 10;
const CONTACTS_PER_TENANT = quick ? 10 : 40;
const ROUNDS = quick ? 1 : 2;
const TOPOLOGIES: readonly Topology[] = [
  { name: 'single node', masters: undefined },
  { name: 'cluster, 1 master', masters: 1 },
  { name: 'cluster, 2 masters', masters: 2 },
  { name: 'cluster, 3 masters', masters: 3 },
];

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

function line(kind: string, m: Measurement): string {
  return `[cluster] round ${m.round} ${m.topology} ${kind}: ${m.count} in ${m.ms.toFixed(0)} ms = ${m.perS.toFixed(1)}/s  redis cpu ${m.redis.cpuSeconds.toFixed(2)} s  commands ${m.redis.commands}  top master ${pct(m.redis.topCommandShare)}  failures ${m.failures}\n`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const tenants = evenTenants(TENANTS, PARTITIONS);
  const seed = generateDay({
    randomSeed: 10,
    contacts: 3,
    personsPerContact: 0,
    episodes: 0,
    durationMs: 1000,
    debounceMs: 0,
  }).seed;
  const sims = await startSimulators(
    tenants.map((t) => seedFor(seed, t)),
    API_LATENCY_MS,
  );
  const dir = mkdtempSync(join(tmpdir(), 'so-bench-cluster-'));
  const file = join(dir, 'tenants.json');
  writeFileSync(
    file,
    tenantsFile(
      tenants.map((t, i) => ({ contextIdentifier: t, secret: secretOf(t), sim: sims[i]! })),
      sims[0]!,
    ),
  );
  const deployment: Deployment = { tenants, sims, tenantsFile: file, dir };
  const ingest: Measurement[] = [];
  const e2e: Measurement[] = [];
  const spread = new Map<string, string>();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? TOPOLOGIES : [...TOPOLOGIES].reverse();
      for (const topology of order) {
        const rt = await startTopology(topology, PARTITIONS);
        try {
          const perMaster = rt.masterOfPartition.reduce<number[]>((acc, m) => {
            acc[m] = (acc[m] ?? 0) + 1;
            return acc;
          }, []);
          spread.set(topology.name, `\`${rt.prefix}\`: ${perMaster.join(' / ')}`);
          const i = await measureIngest(rt, deployment, round, INGEST_SECONDS);
          process.stdout.write(line('ingest', i));
          ingest.push(i);
          const e = await measureEndToEnd(rt, deployment, round, CONTACTS_PER_TENANT);
          process.stdout.write(line('end to end', e));
          e2e.push(e);
        } finally {
          await rt.dispose();
        }
      }
    }
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  writeReport(ingest, e2e, spread, seconds);
}

const TOP_COMMANDS = 8;

/** Mean calls per event of each command over `ms` (zero for a command none of them ran). */
function callsPerEvent(ms: readonly Measurement[], name: string): number {
  return mean(ms.map((m) => (m.redis.calls.get(name) ?? 0) / m.count));
}

/** The rows of the commands table: the most called end to end on one node, then the total. */
function commandRows(ingest: readonly Measurement[], e2e: readonly Measurement[]): string[] {
  const single = TOPOLOGIES[0]!.name;
  const three = TOPOLOGIES[TOPOLOGIES.length - 1]!.name;
  const of = (ms: readonly Measurement[], name: string) => ms.filter((m) => m.topology === name);
  const names = [...new Set(of(e2e, single).flatMap((m) => [...m.redis.calls.keys()]))]
    .sort((a, b) => callsPerEvent(of(e2e, single), b) - callsPerEvent(of(e2e, single), a))
    .slice(0, TOP_COMMANDS);
  const cells = (name: string) =>
    [of(ingest, single), of(ingest, three), of(e2e, single), of(e2e, three)]
      .map((ms) => callsPerEvent(ms, name).toFixed(1))
      .join(' | ');
  const total = [of(ingest, single), of(ingest, three), of(e2e, single), of(e2e, three)]
    .map((ms) => mean(ms.map((m) => m.redis.commands / m.count)).toFixed(1))
    .join(' | ');
  return [...names.map((name) => `| ${name} | ${cells(name)} |`), `| all commands | ${total} |`];
}

function writeReport(
  ingest: readonly Measurement[],
  e2e: readonly Measurement[],
  spread: ReadonlyMap<string, string>,
  seconds: number,
): void {
  const of = (ms: readonly Measurement[], name: string) => ms.filter((m) => m.topology === name);
  const rate = (ms: readonly Measurement[], name: string) => mean(of(ms, name).map((m) => m.perS));
  const avg = (ms: readonly Measurement[], name: string, f: (m: Measurement) => number) =>
    mean(of(ms, name).map(f));
  const base = TOPOLOGIES[0]!.name;
  const ratio = (ms: readonly Measurement[], name: string) =>
    name === base ? '1.00×' : `**${(rate(ms, name) / rate(ms, base)).toFixed(2)}×**`;
  const summary = TOPOLOGIES.map(({ name }) => {
    const cpuPerK = (ms: readonly Measurement[]) =>
      (avg(ms, name, (m) => m.redis.cpuSeconds / m.count) * 1000).toFixed(2);
    return `| ${name} | ${spread.get(name) ?? ''} | ${rate(ingest, name).toFixed(0)} | ${ratio(ingest, name)} | ${rate(e2e, name).toFixed(1)} | ${ratio(e2e, name)} | ${cpuPerK(ingest)} / ${cpuPerK(e2e)} | ${pct(avg(e2e, name, (m) => m.redis.topCommandShare))} / ${pct(avg(e2e, name, (m) => m.redis.topCpuShare))} |`;
  });
  const rows = [
    ...ingest.map((m) => ['ingest', m] as const),
    ...e2e.map((m) => ['end to end', m] as const),
  ]
    .sort((a, b) => a[1].round - b[1].round)
    .map(
      ([kind, m]) =>
        `| ${m.round} | ${m.topology} | ${kind} | ${m.count} | ${m.ms.toFixed(0)} | ${m.perS.toFixed(1)} | ${m.redis.cpuSeconds.toFixed(2)} | ${m.redis.commands} | ${pct(m.redis.topCommandShare)} | ${m.failures} | ${kind === 'ingest' ? `receiver CPU ${m.extra.toFixed(1)} s` : `${m.extra} writes`} |`,
    );
  const top = TOPOLOGIES[TOPOLOGIES.length - 1]!.name;
  const section = `## 10. Redis Cluster: ingest and end-to-end throughput on 1, 2 and 3 masters

bench/src/cluster.bench.ts; on its own: \`pnpm bench --only cluster --merge\` (this run: ${seconds.toFixed(0)} s).
The same deployment on four Redis topologies, each started for the measurement from the
\`redis-server\` binary on loopback ports (AOF off, no replicas: capacity, not failover, is measured):
one redis-server (\`REDIS_URL\`), and a Redis Cluster of 1, 2 and 3 masters (\`REDIS_CLUSTER_NODES\`;
redis-cli cannot form fewer than 3, so packages/testing forms those by hand with the same slot split).
Everywhere \`QUEUE_PARTITIONS=${PARTITIONS}\` and ${TENANTS} tenants (TENANTS_FILE, each its own simulated
SuperOffice with ${API_LATENCY_MS} ms added to every API call), chosen so that every partition holds
${TENANTS / PARTITIONS} of them; on a Cluster the prefix is the first \`{cl<k>}\` whose partitions the masters
share evenly (each slot as ioredis routes it, its master from CLUSTER SLOTS), so only Redis differs.
- **Ingest**: the receiver as built, ${CONNECTIONS} connections posting signed \`contact.changed\` events
  for ${INGEST_SECONDS} s, each for the next tenant on \`/webhooks/superoffice/{ContextIdentifier}\`
  with its secret; then the receiver is stopped and the queued jobs counted (never fewer than the
  2xx answers: nothing accepted was lost).
- **End to end**: ${WORKERS} worker processes as built (WORKER_CONCURRENCY=${WORKER_CONCURRENCY} per queue partition,
  debounce 0, builtin provider), ready before the clock starts; ${CONTACTS_PER_TENANT} new contacts per tenant,
  their \`contact.created\` events on the tenants' paused partitions, all resumed at once; the time
  until no partition of \`so-events\` or \`so-enrich\` holds a job, every contact enriched and written.
- Redis work from INFO on every master before and after: CPU (used_cpu_user + used_cpu_sys) and
  commands processed (total_commands_processed, which counts each command a Lua script runs as
  well as its EVALSHA), summed, and the busiest master's share.
${ROUNDS} round(s)${ROUNDS > 1 ? ', the second in reverse order' : ''}; the figures are their means.

| topology | partitions per master | ingest req/s | vs single node | enrichments/s | vs single node | Redis CPU ms per event, ingest / end to end | busiest master's share of commands / CPU, end to end |
|---|---|---|---|---|---|---|---|
${summary.join('\n')}

Commands per event by name (INFO commandstats, summed over the masters, mean of the rounds; the
${TOP_COMMANDS} most called on one redis-server end to end, and the total), one redis-server and 3 masters:

| command | ingest, single node | ingest, 3 masters | end to end, single node | end to end, 3 masters |
|---|---|---|---|---|
${commandRows(ingest, e2e).join('\n')}

| round | topology | measurement | events | ms | per s | Redis CPU s | commands | busiest master | failures | |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeSection(out, section, [
    '10. Redis Cluster',
    `end-to-end enrichments/s, ${top} / single node (${WORKERS} worker processes)`,
    ratio(e2e, top),
    `ingest ${TOPOLOGIES.slice(1)
      .map(
        ({ name }) => `${name.replace('cluster, ', '')} ${ratio(ingest, name).replace(/\*/g, '')}`,
      )
      .join(', ')}; end to end ${TOPOLOGIES.slice(1)
      .map(({ name }) => `${name.replace('cluster, ', '')} ${ratio(e2e, name).replace(/\*/g, '')}`)
      .join(', ')}`,
  ]);
}

runMain('cluster', main);
