// The baseline of benchmark 2: a BullMQ worker on `so-events` whose processor does nothing, with
// the connection and worker options the real worker uses (createRedisConnection role 'worker',
// EVENTS_CONCURRENCY, lock duration = stalled interval). What is left is BullMQ's own cost of
// fetching, locking and completing a job.
import { Worker } from 'bullmq';
import { createRedisConnection, QUEUE_NAMES } from '@so-connector/queue';

const connection = createRedisConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
  role: 'worker',
  connectionName: 'so-connector:bench-noop-worker',
});
const lockDuration = Number(process.env.WORKER_LOCK_DURATION_MS ?? 30_000);
const worker = new Worker(QUEUE_NAMES.events, () => Promise.resolve({ outcome: 'noop' }), {
  connection,
  prefix: process.env.QUEUE_PREFIX ?? 'noop',
  concurrency: Number(process.env.EVENTS_CONCURRENCY ?? 64),
  lockDuration,
  stalledInterval: lockDuration,
});
worker.on('error', (error: Error) => process.stderr.write(`noop worker: ${error.message}\n`));
void worker.waitUntilReady().then(() => process.stdout.write('worker started\n'));
process.once('SIGTERM', () => {
  void worker.close().finally(() => process.exit(0));
});
