import { z } from 'zod';

/**
 * `entity.action` as SuperOffice names events (superoffice-api.md 2.3). Some have more than one dot
 * (`list.udlist331.changed`), extra tables use their table name (`y_table.changed`).
 */
const EVENT_NAME = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$/;

/** A custom message for a wrong or missing type; zod's own for every other issue. */
const typeError = (message: string) => (issue: { code: string }) =>
  issue.code === 'invalid_type' ? message : undefined;

/** A whole, non-negative number (ids and keys). */
const id = (what: string) =>
  z
    .number({ error: typeError(`expected ${what}`) })
    .int({ error: 'expected a whole number' })
    .nonnegative({ error: 'expected a number >= 0' });

/** The registration ping SuperOffice sends when a webhook is created or tested. */
export const TEST_EVENT_NAME = 'test';

/**
 * The body SuperOffice POSTs (`WebhookPayload`, superoffice-api.md 2.1). Unknown keys are kept:
 * a webhook's `Properties` are injected into this body, and delete events carry `Values`.
 */
export const webhookEventSchema = z.looseObject({
  EventId: z.guid({ error: 'expected a GUID' }),
  /** SuperOffice writes 7 fractional digits (`2018-04-24T07:50:50.6812131Z`). */
  Timestamp: z.iso.datetime({ offset: true, local: true, error: 'expected an ISO 8601 date-time' }),
  Changes: z
    .array(z.string().max(256), { error: typeError('expected an array of column names') })
    .max(1000),
  Event: z
    .string({ error: typeError('expected an event name') })
    .max(200)
    .refine((v) => v === TEST_EVENT_NAME || EVENT_NAME.test(v), {
      error: 'expected an event name of the form entity.action',
    }),
  Entity: z
    .string({ error: typeError('expected an entity name') })
    .min(1)
    .max(100),
  PrimaryKey: id('the record id'),
  ContextIdentifier: z
    .string({ error: typeError('expected the tenant id') })
    .min(1)
    .max(100),
  ChangedByAssociateId: id('an associate id'),
  WebhookName: z.string({ error: typeError('expected a string') }).max(500),
  /**
   * Values of the changed row; newer than the rest of the payload, so optional. Values may be plain
   * JSON or encoded strings such as `"[I:6]"` (superoffice-api.md 2.1).
   */
  FieldValues: z.record(z.string(), z.unknown()).nullish(),
});

export type WebhookEvent = z.output<typeof webhookEventSchema>;

/**
 * Data of a `so-events` job. New fields must be optional or defaulted: jobs enqueued by the
 * previous deploy (or sitting in a receiver's disk spool) must still validate.
 */
export const eventJobSchema = z.object({
  /** The tenant (ContextIdentifier) the event belongs to. */
  tenant: z.string().min(1),
  /** When the receiver accepted the event (ISO 8601). */
  receivedAt: z.iso.datetime(),
  /** `X-SuperOffice-Retry`: how many times SuperOffice had already tried this delivery. */
  deliveryRetry: z.number().int().nonnegative(),
  /** True when the event went through the receiver's disk spool because Redis was down. */
  spooled: z.boolean().default(false),
  event: webhookEventSchema,
});

export type EventJobData = z.input<typeof eventJobSchema>;

/**
 * Data of a `so-enrich` job. The record is read fresh when the job runs, so the data only says
 * which record, and carries what the sync-run log and the max-wait rule need.
 */
export const enrichJobSchema = z.object({
  tenant: z.string().min(1),
  entity: z.enum(['contact', 'person']),
  recordId: z.number().int().nonnegative(),
  /** The first event of the current debounce window (ISO): the max-wait rule starts from it. */
  firstEventAt: z.iso.datetime(),
  /** The latest event coalesced into this job. */
  lastEventId: z.string(),
  /** The company a person belongs to, when the event said (FieldValues.contact_id). */
  accountId: z.number().int().optional(),
  /** When the receiver accepted the window's first webhook (ISO): end-to-end latency starts here. */
  receivedAt: z.iso.datetime().optional(),
  /**
   * Every EventId (or other cause) coalesced into this job, oldest first, at most 50: set by the
   * worker when the job first runs (from recordCause/takeCauses), so its retries log the same.
   * Optional: jobs enqueued by a deploy before this field carry only `lastEventId`.
   */
  eventIds: z.array(z.string()).max(50).optional(),
});

export type EnrichJobData = z.input<typeof enrichJobSchema>;

/**
 * Data of a `so-maintenance` job. Scheduled runs carry only the tenant; a reconciliation started by
 * the watchdog or an operator (`replay --since`) also says from when and why.
 */
/**
 * What a backfill selects and how it runs (`so-connector backfill`). The run id names the
 * selection, so the same command resumes a stopped run from its cursor.
 */
export const backfillSpecSchema = z.object({
  runId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** Which records: companies, their persons too, or persons only. */
  entities: z.enum(['contacts', 'persons', 'both']).default('contacts'),
  /** Owner ("Our contact") associate ids. */
  owners: z.array(z.number().int().positive()).optional(),
  /** Category / Business list item ids (companies). */
  categories: z.array(z.number().int().positive()).optional(),
  businesses: z.array(z.number().int().positive()).optional(),
  /** Only records where at least one target UDF is empty. */
  targetEmpty: z.boolean().default(false),
  /** Only records updated after this time (ISO). */
  updatedSince: z.iso.datetime().optional(),
  /** An explicit list of record ids (of the selected entity kinds). */
  ids: z.array(z.number().int().positive()).max(100_000).optional(),
  /** Enrichments enqueued per minute at most. */
  ratePerMinute: z.number().int().positive(),
  /** Stop once this many provider calls may have been caused (an upper estimate). */
  maxProviderCalls: z.number().int().nonnegative().optional(),
  /** Count only: what would be read, asked of the provider and called at SuperOffice. */
  dryRun: z.boolean().default(false),
});

export type BackfillSpec = z.output<typeof backfillSpecSchema>;

export const maintenanceJobSchema = z.object({
  tenant: z.string().min(1),
  /** A backfill job's selection and pacing (job name `backfill`). */
  backfill: backfillSpecSchema.optional(),
  /** Reconciliation: look at records updated after this time (ISO); else since the last sweep. */
  since: z.iso.datetime().optional(),
  /** Who asked: `schedule`, `watchdog`, `cli`. */
  trigger: z.enum(['schedule', 'watchdog', 'cli']).default('schedule'),
});

export type MaintenanceJobData = z.input<typeof maintenanceJobSchema>;

/** What a `reconcile` job returns (shown in Bull Board, printed by `so-connector replay`). */
export const reconcileResultSchema = z.object({
  /** The window swept: records updated after `since` and up to `until` (ISO). */
  since: z.string(),
  until: z.string(),
  /** Records SuperOffice reported as updated in the window. */
  contacts: z.number().int().nonnegative(),
  persons: z.number().int().nonnegative(),
  /** Enrichments added or joined (deduplicated with pending ones). */
  enqueued: z.number().int().nonnegative(),
  /**
   * Why records were enqueued (`inputs-changed`, `never-enriched`, …) and why the others were not
   * (`event-handled`, `unchanged`). Optional: results of sweeps before the row decision lack them.
   */
  reasons: z.record(z.string(), z.number().int().nonnegative()).optional(),
});

export type ReconcileResult = z.output<typeof reconcileResultSchema>;

/** What a `backfill` job returns (and what its progress record holds). */
export const backfillResultSchema = z.object({
  runId: z.string(),
  status: z.enum(['dry-run', 'completed', 'stopped', 'capped']),
  /** Records the selection matched (after the target-empty filter). */
  matched: z.number().int().nonnegative(),
  /** Of those, records whose stored enrichment is current: no read, no provider call. */
  current: z.number().int().nonnegative(),
  /** Records to enrich (read), and of them those that may call the provider. */
  toEnrich: z.number().int().nonnegative(),
  providerCalls: z.number().int().nonnegative(),
  /** SuperOffice calls: the selection's feed queries made, plus reads and at most one PATCH per record. */
  superOfficeCalls: z.number().int().nonnegative(),
  /** Enrichments enqueued so far (all runs of this run id). */
  enqueued: z.number().int().nonnegative(),
});

export type BackfillResult = z.output<typeof backfillResultSchema>;
