import type { Cluster, Redis } from 'ioredis';
import type { ReceiverConfig } from '@so-connector/config';
import type { Logger, ShutdownRegistry } from '@so-connector/logger';
import {
  closeRedis,
  closeWhenReady,
  createEventsQueues,
  createConnection,
  type EventJobData,
  type QueuePartitions,
} from '@so-connector/queue';

/** Where the enqueuer writes: the `so-events` queue's partitions and the connection they run on. */
export interface EnqueueTarget {
  readonly queue: QueuePartitions<EventJobData>;
  readonly redis: Redis | Cluster;
}

/**
 * The receiver's shared connection and queue, or — when events wait for replicas
 * (REDIS_REPLICA_ACKS > 0) — a connection and queue of their own: Redis runs nothing else of a
 * connection while its WAIT blocks, so readiness checks, the dashboard and the last-event writes
 * must not share it. Its command timeout covers the WAIT.
 */
export function enqueueTarget(
  config: ReceiverConfig,
  shared: EnqueueTarget,
  redisTimeoutMs: number,
  shutdown: ShutdownRegistry,
  logger: Logger,
): EnqueueTarget {
  const acks = config.redis.replicaAcks;
  if (acks.replicas <= 0) return shared;
  const redis = createConnection(config.redis, {
    role: 'producer',
    commandTimeoutMs: redisTimeoutMs + acks.timeoutMs,
    connectionName: 'so-connector:receiver-enqueue',
  });
  redis.on('error', (error: Error) =>
    logger.debug('enqueue Redis connection error', { error: error.message }),
  );
  shutdown.register('enqueue redis', async () => {
    await closeRedis(redis);
  });
  const queue = createEventsQueues(redis, config.queue.prefix, config.queue.partitions);
  for (const partition of queue.all) {
    partition.on('error', (error: Error) =>
      logger.debug('enqueue queue error', { error: error.message }),
    );
  }
  shutdown.register('enqueue queue', async () => {
    await Promise.all(queue.all.map((q) => closeWhenReady(q, config.http.shutdownTimeoutMs / 2)));
  });
  return { queue, redis };
}
