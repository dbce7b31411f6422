// Benchmark 9: Redis bytes held per accepted event over the EventId dedup window (issue 13 §3).
// The same events go through `so-events` twice on a private redis-server, each time from a flushed
// Redis: with the job options used before issue 13 (every completed job body kept for the whole
// window, jobId = EventId the only dedup) and with today's (`eventAddOptions`: a dedup marker for
// the window, bodies kept for the recent window only). A no-op BullMQ worker completes every job;
// `used_memory` (INFO memory) is read before, half-way and at the end, and every key is weighed
// with MEMORY USAGE by family. A third pass runs the built apps/worker instead of the no-op: its
// skip path adds a sync-run fact per event and the activity counters (now-worker); a fourth runs
// it on a Redis Cluster of 3 masters (now-worker-cluster). The measuring is in footprint-run.ts.
import { DEFAULT_COMPLETED_EVENT_RETENTION, JOB_EVENTS_STREAM_MAX_LEN } from '@so-connector/queue';
import { startSimulator } from '@so-connector/superoffice-simulator';
import { parseArgs, ratio, runMain, writeSection } from './bench-common';
import { measureAll, VARIANTS, WINDOW_SECONDS, type Variant } from './footprint-run';
import type { Checkpoint } from './footprint-weigh';

const { quick, out } = parseArgs();
const EVENTS = quick ? 4000 : 20_000;

/** Issue 13 §3: Redis bytes per accepted event held over the window, the worker's facts included. */
const GOAL_BYTES = 600;
const perEvent = (bytes: number, events: number) => Math.round(bytes / events);

function familyRows(variant: Variant, end: Checkpoint): string[] {
  const f = end.families;
  const row = (name: string, family: { keys: number; bytes: number }) =>
    `| ${variant} | ${name} | ${family.keys} | ${family.bytes} | ${family.keys > 0 ? Math.round(family.bytes / family.keys) : '–'} | ${perEvent(family.bytes, end.events)} |`;
  return [
    row('so-events job hashes', f.jobs),
    row('so-events dedup markers', f.markers),
    row('other so-events keys (completed set, events stream, meta)', f.other),
    ...(variant === 'now-worker' || variant === 'now-worker-cluster'
      ? [
          row('sync-run facts (a sorted set per account, the tenant index)', f.runs),
          row('other keys outside so-events (activity counters, other queues)', f.outside),
        ]
      : []),
  ];
}

const average = (c: Checkpoint) => perEvent(c.usedBytes, c.events);
/**
 * Bytes the second half of the events added: what one more event in the window costs, without the
 * bounded parts (the kept bodies, the queue's events stream: 10,000 entries before, now
 * JOB_EVENTS_STREAM_MAX_LEN).
 */
const marginal = ([half, end]: Checkpoint[]) =>
  perEvent(end!.usedBytes - half!.usedBytes, end!.events - half!.events);
const bytesPerKey = (c: Checkpoint, family: 'markers' | 'jobs') =>
  Math.round(c.families[family].bytes / Math.max(1, c.families[family].keys));

/**
 * Whether `c` meets the goal: at the end of the run and per further event; when only the bounded
 * part (kept bodies, the events stream) keeps the average above it, from how many events in the
 * window the average falls under it (bounded part ÷ (goal − per further event)).
 */
function verdict(where: string, c: Checkpoint[]): string {
  const end = c[1]!;
  const further = marginal(c);
  if (average(end) <= GOAL_BYTES && further <= GOAL_BYTES)
    return `${where}: meets (${average(end)} B at ${end.events} events, ${further} B per further event)`;
  if (further >= GOAL_BYTES) return `${where}: MISSES (${further} B per further event)`;
  const bounded = end.usedBytes - further * end.events;
  const from = Math.ceil(bounded / (GOAL_BYTES - further) / 100) * 100;
  return `${where}: ${average(end)} B at ${end.events} events, over by ${average(end) - GOAL_BYTES} B; ${further} B per further event, so under the goal from about ${from.toLocaleString('en')} events in the window`;
}

async function main(): Promise<void> {
  const sim = await startSimulator();
  let results: Record<Variant, Checkpoint[]>;
  try {
    results = await measureAll(sim, EVENTS);
  } finally {
    await sim.stop();
  }
  const before = results.before;
  const now = results.now;
  const withWorker = results['now-worker'];
  const onCluster = results['now-worker-cluster'];
  const [beforeEnd, nowEnd, workerEnd, clusterEnd] = [
    before[1]!,
    now[1]!,
    withWorker[1]!,
    onCluster[1]!,
  ];
  const keep = DEFAULT_COMPLETED_EVENT_RETENTION;
  const verdicts = [verdict('one redis-server', withWorker), verdict('the Cluster', onCluster)];
  const headline = ratio(average(nowEnd), average(beforeEnd));
  const fixedKiB = Math.round((nowEnd.usedBytes - marginal(now) * nowEnd.events) / 1024);
  const line = (name: string, c: Checkpoint[], bold = false) => {
    const b = (text: string) => (bold ? `**${text}**` : text);
    return `| ${name} | ${average(c[0]!)} B | ${b(`${average(c[1]!)} B`)} | ${b(`${marginal(c)} B`)} |`;
  };
  const section = `## 9. Footprint: Redis bytes per accepted event over the dedup window

bench/src/footprint.bench.ts; on its own: \`pnpm bench --only footprint --merge\`.
${EVENTS.toLocaleString('en')} \`contact.changed\` events (with FieldValues, ~400 bytes of JSON each; 10,000 companies) are
added to \`so-events\` one add each, as the receiver adds them, on a private redis-server (AOF off,
flushed before each variant), and a consumer runs every one. \`used_memory\` (INFO memory) is read
once the consumer is up and before the first event, after half of them and at the end, all within
the ${WINDOW_SECONDS / 3600} h dedup window; then every key is weighed with \`MEMORY USAGE … SAMPLES 0\`.
- **before**: the options before issue 13: \`jobId\` = EventId, \`removeOnComplete: { age: DEDUP_WINDOW_SECONDS }\`
  (every completed job body kept for the window; the job is the dedup), the queue with BullMQ's
  defaults (an events stream of 10,000 entries); a no-op BullMQ worker.
- **now**: \`eventAddOptions\` (packages/queue/src/event-dedup.ts): \`jobId\` = EventId, BullMQ
  \`deduplication: { id: EventId, ttl: window }\` (a marker key that lives for the window), and completed
  bodies kept for the recent window only (\`EVENTS_KEEP_COMPLETED_SECONDS\`=${keep.seconds},
  \`EVENTS_KEEP_COMPLETED_COUNT\`=${keep.count}: here the count binds); the queue as the receiver
  makes it (\`createEventsQueue\`: its events stream keeps ${JOB_EVENTS_STREAM_MAX_LEN.toLocaleString('en')} entries,
  docs/operations.md "Queue events"); a no-op BullMQ worker.
- **now-worker**: the same options, run by \`apps/worker\` as built (every event an echo of its own
  write, so the skip path: a SKIPPED fact on the account's sync run and the activity counters).
  A fact is stored compactly (packages/sync-runs/src/fact-codec.ts: ~36 bytes for a skip instead
  of ~330 of JSON), so an account's sorted set stays a listpack (members ≤ 64 bytes, ≤ 128 of them;
  past that Redis turns it into a skiplist and a dict: ~1.2 KB for two facts of JSON); two events a
  company here, so the per-account key and the tenant index (10,000 accounts) weigh most.
- **now-worker, cluster**: the same, on a Redis Cluster of 3 masters (no replicas, AOF off) with
  \`QUEUE_PREFIX={so}\` and one partition, the worker on \`REDIS_CLUSTER_NODES\`; used_memory and the
  keys of all three masters added up (one holds every key: one tenant, one partition, one tag).
  Redis 7.0 in cluster mode keeps each key in its slot's list (two pointers more per key).

| variant | used_memory per event, ${EVENTS / 2} events | per event, ${EVENTS} events | per further event (2nd half) |
|---|---|---|---|
${line('before', before)}
${line('now', now, true)}
| now ÷ before | | **${headline}** | ${ratio(marginal(now), marginal(before))} |
${line('now-worker (with sync-run facts)', withWorker)}
${line('now-worker, Redis Cluster of 3 masters', onCluster)}
| cluster ÷ single node (now-worker) | ${ratio(average(onCluster[0]!), average(withWorker[0]!))} | ${ratio(average(clusterEnd), average(workerEnd))} | ${ratio(marginal(onCluster), marginal(withWorker))} |

Goal (issue 13 §3): ≤ ${GOAL_BYTES} B per event with the worker's facts held over the window; ${verdicts.join('; ')}.
On a Cluster each key costs ${bytesPerKey(clusterEnd, 'markers') - bytesPerKey(workerEnd, 'markers')} B more (a dedup marker ${bytesPerKey(clusterEnd, 'markers')} B instead of
${bytesPerKey(workerEnd, 'markers')} B, a job hash ${bytesPerKey(clusterEnd, 'jobs')} B instead of ${bytesPerKey(workerEnd, 'jobs')} B): Redis 7.0 in cluster mode
links every key into its slot's list.

"Per further event" is what each event adds while the bounded parts stay put (at most
${keep.count} kept bodies, an events stream of ~${JOB_EVENTS_STREAM_MAX_LEN.toLocaleString('en')} entries): the figure a busy tenant
converges to. The bounded part is about ${fixedKiB} KiB now, so the EventId dedup of a deployment
with E events in the window holds about E × ${marginal(now)} B + ${fixedKiB} KiB. A no-op's job body is smaller
than one the real worker completes (its outcome is the return value), which weighs on every event
before and only on the kept bodies now.

Keys at the end (${EVENTS} events), by family (MEMORY USAGE; it leaves out the expiry entry of a key
with a TTL, which used_memory counts):

| variant | family | keys | bytes | bytes per key | bytes per event |
|---|---|---|---|---|---|
${VARIANTS.flatMap((v) => familyRows(v, results[v][1]!)).join('\n')}
`;
  writeSection(out, section, [
    '9. Footprint',
    'Redis bytes per accepted event over the 24 h dedup window, now ÷ before',
    `**${headline}**`,
    `${average(nowEnd)} B vs ${average(beforeEnd)} B per event at ${EVENTS} events, ${marginal(now)} B per further event; with the worker's sync-run facts ${average(workerEnd)} B (${marginal(withWorker)} B per further event), on a 3-master Cluster ${average(clusterEnd)} B (${marginal(onCluster)} B); goal ≤ ${GOAL_BYTES} B: ${verdicts.join('; ')}`,
  ]);
}

runMain('footprint', main);
