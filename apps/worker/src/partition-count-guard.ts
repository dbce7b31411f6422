import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger, ShutdownRegistry } from '@so-connector/logger';
import {
  alignTenantKeys,
  checkPartitionCount,
  TENANT_KEY_LAYOUT_LEASE_MARK,
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
 * on its count (checkPartitionCount), renewed while it runs and given back at its stop; then, when
 * each tenant's own keys are laid out for another count, moves them into the tenants' partitions
 * before anything is served (alignTenantKeys: one worker moves, those starting with it wait). While
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
    // The mark: this worker keeps each tenant's keys in its partition (tenant-key-layout.ts).
    id: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}${TENANT_KEY_LAYOUT_LEASE_MARK}`,
    ttlMs: options.leaseTtlMs ?? PARTITION_LEASE_TTL_MS,
  };
  const decision = await checkPartitionCount(connection, prefix, partitions, lease);
  if (decision.kind === 'refuse') throw new Error(decision.message);
  const renewal = keepLease(connection, prefix, partitions, lease, logger);
  try {
    // Renewed meanwhile: moving many keys can outlast the lease.
    await placeTenantKeys(connection, prefix, partitions, lease, logger);
  } catch (error) {
    clearInterval(renewal);
    await releasePartitionLease(connection, prefix, partitions, lease).catch(() => undefined);
    throw error;
  }
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

/** Renews the lease every third of its life; one warning per outage, not one per attempt. */
function keepLease(
  connection: RedisConnection,
  prefix: string,
  partitions: number,
  lease: PartitionLeaseSpec,
  logger: Logger,
): NodeJS.Timeout {
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
  return renewal;
}

/**
 * Each tenant's keys where QUEUE_PARTITIONS puts them (alignTenantKeys): moved by this worker, or
 * by another starting with it; throws the one-line refusal otherwise.
 */
async function placeTenantKeys(
  connection: RedisConnection,
  prefix: string,
  partitions: number,
  lease: PartitionLeaseSpec,
  logger: Logger,
): Promise<void> {
  const alignment = await alignTenantKeys({ connection, prefix, partitions, lease });
  if (alignment.kind === 'refuse') throw new Error(alignment.message);
  if (alignment.kind === 'moved')
    logger.info("moved each tenant's keys into its partition", {
      fromPartitions: alignment.from,
      toPartitions: partitions,
      keys: alignment.moved,
      ms: alignment.ms,
    });
  if (alignment.kind === 'waited')
    logger.info("another worker moved each tenant's keys into its partition", { ms: alignment.ms });
}
