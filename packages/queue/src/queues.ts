import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from './catalog';
import type { EnrichJobData, EventJobData, MaintenanceJobData } from './payloads';

/** The `so-events` queue: producer side (receiver, CLI) and anything that inspects it. */
export function createEventsQueue(connection: Redis, prefix: string): Queue<EventJobData> {
  return new Queue<EventJobData>(QUEUE_NAMES.events, { connection, prefix });
}

/** The `so-enrich` queue: producer side (events processor, CLI, reconciliation). */
export function createEnrichQueue(connection: Redis, prefix: string): Queue<EnrichJobData> {
  return new Queue<EnrichJobData>(QUEUE_NAMES.enrich, { connection, prefix });
}

/** The `so-maintenance` queue: job schedulers (worker) and on-demand sweeps (watchdog, CLI). */
export function createMaintenanceQueue(
  connection: Redis,
  prefix: string,
): Queue<MaintenanceJobData> {
  return new Queue<MaintenanceJobData>(QUEUE_NAMES.maintenance, { connection, prefix });
}
