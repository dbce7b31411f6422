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

/** The `so-events` queue: producer side (receiver, CLI) and anything that inspects it. */
export function createEventsQueue(
  connection: Redis | Cluster,
  prefix: string,
): Queue<EventJobData> {
  return new Queue<EventJobData>(QUEUE_NAMES.events, queueOptions(connection, prefix));
}

/** The `so-enrich` queue: producer side (events processor, CLI, reconciliation). */
export function createEnrichQueue(
  connection: Redis | Cluster,
  prefix: string,
): Queue<EnrichJobData> {
  return new Queue<EnrichJobData>(QUEUE_NAMES.enrich, queueOptions(connection, prefix));
}

/** The `so-maintenance` queue: job schedulers (worker) and on-demand sweeps (watchdog, CLI). */
export function createMaintenanceQueue(
  connection: Redis | Cluster,
  prefix: string,
): Queue<MaintenanceJobData> {
  return new Queue<MaintenanceJobData>(QUEUE_NAMES.maintenance, queueOptions(connection, prefix));
}
