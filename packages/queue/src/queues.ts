import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from './catalog';
import type { EnrichJobData, EventJobData } from './payloads';

/** The `so-events` queue: producer side (receiver, CLI) and anything that inspects it. */
export function createEventsQueue(connection: Redis, prefix: string): Queue<EventJobData> {
  return new Queue<EventJobData>(QUEUE_NAMES.events, { connection, prefix });
}

/** The `so-enrich` queue: producer side (events processor, CLI, reconciliation). */
export function createEnrichQueue(connection: Redis, prefix: string): Queue<EnrichJobData> {
  return new Queue<EnrichJobData>(QUEUE_NAMES.enrich, { connection, prefix });
}
