import type { Logger, ShutdownRegistry } from '@so-connector/logger';
import {
  checkPartitionCount,
  partitionCountProblem,
  watchPartitionCount,
  type RedisConnection,
} from '@so-connector/queue';

/** How often a running worker compares its QUEUE_PARTITIONS with the queues. */
const PARTITION_CHECK_INTERVAL_MS = 60_000;

/**
 * QUEUE_PARTITIONS against the queues (docs/architecture.md "Partitions"). At start: refuses
 * (throws the one-line message naming QUEUE_PARTITIONS) a count that would strand work, and
 * records a new one on drained queues (checkPartitionCount). While running: a receiver or worker
 * started later with another count is not refused by anything, so every minute the worker checks
 * again and logs an error while the count differs or work waits in partitions past its own.
 */
export async function guardPartitionCount(options: {
  readonly connection: RedisConnection;
  readonly prefix: string;
  readonly partitions: number;
  readonly logger: Logger;
  readonly shutdown: ShutdownRegistry;
}): Promise<void> {
  const { connection, prefix, partitions, logger } = options;
  const decision = await checkPartitionCount(connection, prefix, partitions);
  if (decision.kind === 'refuse') throw new Error(decision.message);
  const watch = watchPartitionCount({
    check: () => partitionCountProblem(connection, prefix, partitions),
    intervalMs: PARTITION_CHECK_INTERVAL_MS,
    report: (problem) => {
      if (problem !== undefined) logger.error(problem);
    },
  });
  options.shutdown.register('partition count check', () => Promise.resolve(watch.stop()));
}
