import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger, ShutdownRegistry } from '@so-connector/logger';
import {
  checkPartitionCount,
  partitionCountProblem,
  releasePartitionLease,
  renewPartitionLease,
  watchPartitionCount,
  type PartitionLeaseSpec,
  type RedisConnection,
} from '@so-connector/queue';

/** How often a running worker compares its QUEUE_PARTITIONS with the queues. */
const PARTITION_CHECK_INTERVAL_MS = 60_000;
/**
 * A worker's lease on its count lives this long unless renewed (a worker that died keeps it so
 * long). It is renewed every third of that, so two renewals may fail (Redis away a moment) before
 * it lapses.
 */
const PARTITION_LEASE_TTL_MS = 30_000;

/**
 * QUEUE_PARTITIONS against the queues (docs/architecture.md "Partitions"). At start: refuses
 * (throws the one-line message naming QUEUE_PARTITIONS) a count that would strand work or that
 * running workers do not serve, records a new one on drained queues, and takes this worker's lease
 * on its count (checkPartitionCount), renewed while it runs and given back at its stop. While
 * running: a receiver started later with another count is not refused by anything, so every minute
 * the worker checks again and logs an error while the count differs or work waits in partitions
 * past its own.
 */
export async function guardPartitionCount(options: {
  readonly connection: RedisConnection;
  readonly prefix: string;
  readonly partitions: number;
  readonly logger: Logger;
  readonly shutdown: ShutdownRegistry;
  readonly leaseTtlMs?: number;
}): Promise<void> {
  const { connection, prefix, partitions, logger } = options;
  const lease: PartitionLeaseSpec = {
    id: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    ttlMs: options.leaseTtlMs ?? PARTITION_LEASE_TTL_MS,
  };
  const decision = await checkPartitionCount(connection, prefix, partitions, lease);
  if (decision.kind === 'refuse') throw new Error(decision.message);
  // One warning per outage, not one per attempt: the next success says it is over.
  let failing = false;
  const renewal = setInterval(() => {
    renewPartitionLease(connection, prefix, partitions, lease).then(
      () => {
        if (failing) logger.info('partition-count lease renewed again');
        failing = false;
      },
      (error: Error) => {
        if (!failing)
          logger.warn('could not renew the partition-count lease', { error: error.message });
        failing = true;
      },
    );
  }, lease.ttlMs / 3);
  renewal.unref();
  const watch = watchPartitionCount({
    check: () => partitionCountProblem(connection, prefix, partitions),
    intervalMs: PARTITION_CHECK_INTERVAL_MS,
    report: (problem) => {
      if (problem !== undefined) logger.error(problem);
    },
  });
  // Registered before the queue workers, so closed after them: the lease goes once nothing runs.
  options.shutdown.register('partition count check', async () => {
    watch.stop();
    clearInterval(renewal);
    await releasePartitionLease(connection, prefix, partitions, lease).catch(() => undefined);
  });
}
