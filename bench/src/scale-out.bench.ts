// Benchmark 5: enrichments/s with 1, 2 and 4 BUILT worker processes against the simulator with
// 150 ms added to every API call, on a fixed set of relevant changes (contacts created in the
// simulator, their `contact.created` events put straight onto `so-events`), debounce 0 and a rate
// limit far above what is reached. The verdict is the ratio to 1 process, measured in the same run.
import { Redis } from 'ioredis';
import { startSimulator } from '@so-connector/superoffice-simulator';
import { mean, parseArgs, runMain, startRedis, writeSection } from './bench-common';
import {
  CONCURRENCY,
  FLEET_SETTINGS,
  LATENCY_MS,
  measureLive,
  type LiveMeasurement,
} from './worker-fleet';

const { quick, out } = parseArgs();
const CONTACTS = quick ? 60 : 200;
const PROCESSES: readonly number[] = [1, 2, 4];
const ROUNDS = quick ? 1 : 2;

async function main(): Promise<void> {
  const redis = await startRedis();
  const sim = await startSimulator();
  sim.faults.latencyMs = LATENCY_MS;
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const all: LiveMeasurement[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? PROCESSES : [...PROCESSES].reverse();
      for (const processes of order) {
        const m = await measureLive(connection, redis.url, sim, {
          processes,
          round,
          contacts: CONTACTS,
          tag: 'scale',
        });
        process.stdout.write(
          `[scale-out] round ${round} ${processes} process(es): ${m.enrichments} enrichments in ${m.ms.toFixed(0)} ms = ${m.perS.toFixed(1)}/s  API calls ${m.apiCalls}  writes ${m.writes}  failed ${m.failed}\n`,
        );
        all.push(m);
      }
    }
  } finally {
    connection.disconnect();
    await sim.stop();
    await redis.dispose();
  }

  const rate = (p: number) => mean(all.filter((m) => m.processes === p).map((m) => m.perS));
  const base = rate(1);
  const table = PROCESSES.map(
    (p) =>
      `| ${p} | ${p * CONCURRENCY} | ${rate(p).toFixed(1)} | ${p === 1 ? '1.00×' : `**${(rate(p) / base).toFixed(2)}×**`} | ${(rate(p) / base / p).toFixed(2)} |`,
  );
  const rows = all.map(
    (m) =>
      `| ${m.round} | ${m.processes} | ${m.ms.toFixed(0)} | ${m.enrichments} | ${m.perS.toFixed(1)} | ${m.apiCalls} | ${m.writes} | ${m.failed} |`,
  );
  const top = PROCESSES[PROCESSES.length - 1]!;
  const section = `## 5. Scale-out: enrichments/s with 1, 2 and 4 worker processes

The simulator adds ${LATENCY_MS} ms to every API call. Per measurement, ${CONTACTS} new contacts are created in the
simulator and their \`contact.created\` events are put straight onto a paused \`so-events\` (no receiver, no
webhook deliveries, so no echoes); the queue is resumed and the time until \`so-events\` and \`so-enrich\` are
both empty is measured. Workers are \`apps/worker\` as built, started and ready before the clock starts,
each with ${FLEET_SETTINGS}, private
redis-server (AOF off, flushed before each measurement). The simulator runs in the benchmark process on
the same machine as the workers. ${ROUNDS} round(s)${ROUNDS > 1 ? ', the second in reverse order' : ''}.

| processes | jobs in flight at most | enrichments/s | vs 1 process | efficiency (ratio / processes) |
|---|---|---|---|---|
${table.join('\n')}

| round | processes | drain ms | enrichments | enrichments/s | API calls | writes | failed attempts |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  writeSection(out, section, [
    '5. Scale-out',
    `enrichments/s, ${top} worker processes / 1 (API latency ${LATENCY_MS} ms)`,
    `**${(rate(top) / base).toFixed(2)}×**`,
    PROCESSES.map((p) => `${p}: ${rate(p).toFixed(1)}/s`).join(', '),
  ]);
}

runMain('scale-out', main);
