/**
 * Queue names. They are wire format: renaming one strands the jobs already in Redis under the old
 * name, so a rename needs a migration, not an edit.
 */
export const QUEUE_NAMES = {
  /** Every accepted SuperOffice webhook event; job name = event name, jobId = EventId. */
  events: 'so-events',
  /** One enrichment per record and debounce window; jobs `enrich-contact` / `enrich-person`. */
  enrich: 'so-enrich',
  /** Job schedulers of the worker's housekeeping: webhook watchdog and reconciliation sweep. */
  maintenance: 'so-maintenance',
} as const;

/** Job names (and job scheduler ids) of `so-maintenance` (wire format). */
export const MAINTENANCE_JOB_NAMES = {
  watchdog: 'webhook-watchdog',
  reconcile: 'reconcile',
  /** `so-connector backfill`: enrich records selected by filters, paced, resumable. */
  backfill: 'backfill',
} as const;

export type MaintenanceJobName = (typeof MAINTENANCE_JOB_NAMES)[keyof typeof MAINTENANCE_JOB_NAMES];

/** Job names of `so-enrich` (wire format as well). */
export const ENRICH_JOB_NAMES = {
  contact: 'enrich-contact',
  person: 'enrich-person',
} as const;

export type EnrichJobName = (typeof ENRICH_JOB_NAMES)[keyof typeof ENRICH_JOB_NAMES];

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
