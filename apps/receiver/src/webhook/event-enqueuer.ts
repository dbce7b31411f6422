import { Cluster, type Redis } from 'ioredis';
import {
  DEFAULT_QUIET_EVENTS_PER_MINUTE,
  eventAddOptions,
  eventSeenKeys,
  fairPriority,
  queueFor,
  TenantRateTracker,
  type CompletedEventRetention,
  type EventJobData,
  type PartitionedQueue,
} from '@so-connector/queue';
import { ReplicaAcks, ReplicasBehindError } from './replica-acks';

export type EnqueueOutcome = 'accepted' | 'duplicate';

/** Raised when Redis is not connected or too slow: the caller spools instead of waiting. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

export interface EventEnqueuerOptions {
  /** `so-events`, or its partitions: each event goes to its tenant's (QUEUE_PARTITIONS). */
  readonly queue: PartitionedQueue<EventJobData>;
  /** The connection `queue` was created with (the EXISTS must share its socket). */
  readonly redis: Redis | Cluster;
  readonly dedupWindowSeconds: number;
  /** Completed job bodies kept for Bull Board and the dashboard; default the last hour, 1,000. */
  readonly keepCompleted?: CompletedEventRetention;
  /** An enqueue that has not finished after this long fails with RedisUnavailableError. */
  readonly timeoutMs: number;
  /**
   * A tenant's events a minute (counted in this process) up to which its jobs get no priority;
   * above it, a priority that puts its flood behind the quiet tenants' events (fair-priority.ts).
   */
  readonly quietEventsPerMinute?: number;
  /** How many tenants share the queue now (fairness applies from two on); default 2. */
  readonly tenantCount?: () => number;
  /**
   * Replicas that must hold the event before it counts as accepted (Redis WAIT on the queue's
   * connection, REDIS_REPLICA_ACKS); fewer within `timeoutMs` → RedisUnavailableError, so the
   * caller spools it. Default: none.
   */
  readonly replicaAcks?: { readonly replicas: number; readonly timeoutMs: number };
}

export interface EventEnqueuer {
  /** Adds the event job (jobId = EventId) and says whether it was new. */
  enqueue(data: EventJobData): Promise<EnqueueOutcome>;
  close(): void;
}

interface Pending {
  readonly deadline: number;
  readonly reject: (error: Error) => void;
}

/**
 * Puts events on `so-events`, shared by the webhook route and the spool drainer.
 *
 * Duplicates: an EventId is known while its job exists or its dedup marker lives (the whole dedup
 * window, although the job body goes after the recent window: event-dedup.ts). BullMQ ignores an
 * `add` of a known EventId but does not say so. An EXISTS of both keys is written to the same
 * connection just before the add, so Redis runs it first and it tells whether either was already
 * there. Two deliveries of one EventId racing each other may both read "accepted", but only one
 * job is ever created: the add's script checks and writes in one step.
 *
 * Fairness: a tenant's events beyond its quiet rate are added with a BullMQ priority, so a flood
 * waits behind every other tenant's events instead of in front of them (docs/architecture.md).
 *
 * Replication: with `replicaAcks`, the event is accepted only once that many replicas hold it
 * (WAIT covers every earlier write of the connection; one WAIT in flight, shared: replica-acks.ts):
 * an asynchronous replica promoted by a failover then cannot lack an event the receiver answered
 * 200 for. Give the enqueuer a connection of its own then: a blocked WAIT holds up everything
 * else sent on its connection.
 *
 * Time bound: BullMQ waits for its connection however long that takes; a webhook request must not
 * wait with it (SuperOffice's own retry gives up within ~5 s). One sweep timer fails every enqueue
 * past its deadline, instead of a timer per request on the hot path (bench/RESULTS.md).
 */
export function createEventEnqueuer(options: EventEnqueuerOptions): EventEnqueuer {
  const { redis, timeoutMs } = options;
  const quiet = options.quietEventsPerMinute ?? DEFAULT_QUIET_EVENTS_PER_MINUTE;
  const rates = new TenantRateTracker({ windowMs: 60_000 });
  const pending = new Set<Pending>();
  const readyQueues = new Set<unknown>();
  const acksByQueue = new Map<string, ReplicaAcks>();
  // On a Cluster, WAIT must reach the master serving the slot of the partition's queue
  // (replica-acks.ts): one ReplicaAcks per partition. On one node (or Sentinel) one connection holds
  // every write and one WAIT covers them all.
  const acksFor = (queue: { readonly qualifiedName: string }): ReplicaAcks | undefined => {
    if (!options.replicaAcks) return undefined;
    const key = redis instanceof Cluster ? queue.qualifiedName : '';
    let acks = acksByQueue.get(key);
    if (!acks) {
      acks = new ReplicaAcks(redis, { ...options.replicaAcks, key: queue.qualifiedName });
      acksByQueue.set(key, acks);
    }
    return acks;
  };

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const entry of pending) {
        if (entry.deadline > now) continue;
        pending.delete(entry);
        entry.reject(new RedisUnavailableError(`Redis did not answer within ${timeoutMs} ms`));
      }
    },
    Math.max(10, Math.min(100, timeoutMs / 10)),
  );
  sweep.unref();

  const add = async (data: EventJobData): Promise<EnqueueOutcome> => {
    // The tenant's partition: its EventId marker and job are keys of that queue, so the same
    // EventId from any receiver meets the same marker.
    const queue = queueFor(options.queue, data.tenant);
    if (!readyQueues.has(queue)) {
      await queue.waitUntilReady();
      readyQueues.add(queue);
    }
    const jobOptions = eventAddOptions(
      data.event,
      options.dedupWindowSeconds,
      options.keepCompleted,
    );
    const priority = fairPriority(rates.record(data.tenant), quiet, options.tenantCount?.() ?? 2);
    const [known] = await Promise.all([
      redis.exists(...eventSeenKeys(queue, jobOptions.jobId)),
      queue.add(data.event.Event, data, {
        ...jobOptions,
        ...(priority === undefined ? {} : { priority }),
      }),
    ]);
    try {
      await acksFor(queue)?.confirm();
    } catch (error) {
      if (error instanceof ReplicasBehindError) throw new RedisUnavailableError(error.message);
      throw error;
    }
    return known > 0 ? 'duplicate' : 'accepted';
  };

  return {
    enqueue(data) {
      if (redis.status !== 'ready') {
        return Promise.reject(new RedisUnavailableError(`Redis connection is ${redis.status}`));
      }
      return new Promise<EnqueueOutcome>((resolve, reject) => {
        const entry: Pending = { deadline: Date.now() + timeoutMs, reject };
        pending.add(entry);
        add(data).then(
          (outcome) => {
            if (pending.delete(entry)) resolve(outcome);
          },
          (error: unknown) => {
            if (pending.delete(entry))
              reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
    },
    close() {
      clearInterval(sweep);
    },
  };
}
