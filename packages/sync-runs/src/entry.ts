import { z } from 'zod';

export const ENTRY_STATUSES = ['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'SKIPPED'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

const fieldChange = z.object({ key: z.string(), old: z.string(), new: z.string() });

/**
 * One fact about one job of an account: an event's decision, or an enrichment's progress. Facts
 * are appended, never edited; the latest fact of an entry id is its state. New fields must be
 * optional: facts written by the previous deploy must still parse.
 */
export const runFactSchema = z.object({
  /** Entry id: the EventId for an event, `enrich:{jobId}` for an enrichment attempt series. */
  id: z.string().min(1),
  kind: z.enum(['event', 'enrichment']),
  tenant: z.string().min(1),
  /** The account (contact) the job belongs to; a person's job belongs to its company. */
  accountId: z.number().int(),
  /** When this fact was recorded (ISO). */
  at: z.string(),
  status: z.enum(ENTRY_STATUSES),
  /** The record the job is about. */
  record: z.object({ entity: z.enum(['contact', 'person']), id: z.number().int() }),
  event: z.string().optional(),
  reason: z.string().optional(),
  detail: z.string().optional(),
  accountName: z.string().optional(),
  ownerName: z.string().optional(),
  calls: z
    .object({
      superoffice: z.number().int(),
      provider: z.number().int(),
      patches: z.number().int(),
    })
    .optional(),
  fieldsWritten: z.array(fieldChange).optional(),
  providerLatencyMs: z.number().optional(),
  error: z.string().optional(),
  /** Bull Board link target: queue and job id. */
  job: z.object({ queue: z.string(), id: z.string() }).optional(),
});

export type RunFact = z.output<typeof runFactSchema>;
