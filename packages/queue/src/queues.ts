import { Queue, type QueueOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { QUEUE_NAMES } from './catalog';
import type { EnrichJobData, EventJobData, MaintenanceJobData } from './payloads';

/**
 * Options every Queue (the producer side) gets: its start-up does no Redis I/O at all.
 *
 * BullMQ initialises a Queue once, by waiting for the connection to be ready and sending one `INFO`
 * (its Redis version check), and keeps the outcome for the Queue's whole life (redis-connection.js
 * `init`; taskforcesh/bullmq#930, unchanged in 6.7). On a fail-fast (`producer`) connection a Redis
 * drop while that command is in flight rejects the init for good: every later `add` and count fails
 * with that first error although the connection is back, so a receiver would spool forever and the
 * dashboard never read its queues again (`test/queues.int.test.ts`).
 *
 * - `skipVersionCheck`: no `INFO`. The version is still checked where BullMQ needs it: every Worker
 *   runs the check at start on its own connection (a `worker` one, which waits for Redis).
 * - `skipWaitingForReady` (BullMQ's option "for adding jobs via HTTP endpoints"): the Queue defines
 *   its Lua commands on the connection at once, in its constructor. Defined later, after `ready`,
 *   a command could join an auto-pipeline that ioredis created before it existed and fail with
 *   "pipeline[functionName] is not a function" (the first dashboard read after start-up did).
 *   Commands on a Queue made while Redis is down fail fast, as every producer command does.
 */
function queueOptions(connection: Redis | Cluster, prefix: string): QueueOptions {
  return { connection, prefix, skipVersionCheck: true, skipWaitingForReady: true };
}

/**
 * Entries kept in the events stream (`<prefix>:<queue>:events`) of `so-events` and `so-enrich`,
 * where BullMQ keeps 10,000 by default. Each job adds two to four ("added", "active", "completed",
 * …), so the default held the last few thousand jobs' notices, ~1.4 MB a queue partition
 * (benchmark 9), for QueueEvents listeners only. Nothing of the connector reads these two
 * streams: it listens to `so-maintenance` alone (the CLI's replay and backfill wait for their jobs
 * there, which keeps the default), and the record of what happened is the sync-run log, the
 * completed and failed sets.
 * An operator's own QueueEvents listener reads new entries as they come; this many are the backlog
 * it can catch up on after a reconnect (docs/operations.md, "Queue events").
 * BullMQ stores it in the queue's meta key, read by the scripts that append (XADD MAXLEN ~, so a
 * little more may stay) and written by every Queue made here whose connection is up or waits for it:
 * the worker's always does, at each start (a producer's made while Redis is down skips it).
 */
export const JOB_EVENTS_STREAM_MAX_LEN = 1000;

function highVolumeQueueOptions(connection: Redis | Cluster, prefix: string): QueueOptions {
  return {
    ...queueOptions(connection, prefix),
    streams: { events: { maxLen: JOB_EVENTS_STREAM_MAX_LEN } },
  };
}

/** The `so-events` queue: producer side (receiver, CLI) and anything that inspects it. */
export function createEventsQueue(
  connection: Redis | Cluster,
  prefix: string,
): Queue<EventJobData> {
  return new Queue<EventJobData>(QUEUE_NAMES.events, highVolumeQueueOptions(connection, prefix));
}

/** The `so-enrich` queue: producer side (events processor, CLI, reconciliation). */
export function createEnrichQueue(
  connection: Redis | Cluster,
  prefix: string,
): Queue<EnrichJobData> {
  return new Queue<EnrichJobData>(QUEUE_NAMES.enrich, highVolumeQueueOptions(connection, prefix));
}

/** The `so-maintenance` queue: job schedulers (worker) and on-demand sweeps (watchdog, CLI). */
export function createMaintenanceQueue(
  connection: Redis | Cluster,
  prefix: string,
): Queue<MaintenanceJobData> {
  return new Queue<MaintenanceJobData>(QUEUE_NAMES.maintenance, queueOptions(connection, prefix));
}
