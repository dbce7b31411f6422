import { enrichJobSchema, eventJobSchema, QUEUE_NAMES } from '@so-connector/queue';
import type { SyncRun, SyncRunStore } from '@so-connector/sync-runs';

/** A webhook's `FieldValues.contact_id` may be a number or an encoded string such as `"[I:6]"`. */
function idFrom(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const match = /^\[?(?:I:)?(\d+)\]?$/.exec(text.trim());
  return match?.[1] ? Number(match[1]) : undefined;
}

/**
 * Accounts a job most likely belongs to, read from its data: a contact's own id, or the company a
 * person event or enrichment names. Only a hint: the run is still found by the job reference its
 * facts carry.
 */
export function accountHints(queue: string, data: unknown): number[] {
  const hints: (number | undefined)[] = [];
  if (queue === QUEUE_NAMES.events) {
    const parsed = eventJobSchema.safeParse(data);
    if (parsed.success) {
      const { event } = parsed.data;
      if (event.Entity.toLowerCase() === 'contact') hints.push(event.PrimaryKey);
      hints.push(idFrom(event.FieldValues?.contact_id));
    }
  } else if (queue === QUEUE_NAMES.enrich) {
    const parsed = enrichJobSchema.safeParse(data);
    if (parsed.success) {
      hints.push(parsed.data.accountId);
      if (parsed.data.entity === 'contact') hints.push(parsed.data.recordId);
    }
  }
  return [...new Set(hints.filter((id): id is number => id !== undefined))];
}

export interface FindRunByJobOptions {
  readonly runs: SyncRunStore;
  readonly tenant: string;
  readonly queue: string;
  readonly jobId: string;
  readonly hints: readonly number[];
  /** How many recent runs to search when no hinted account has the job. */
  readonly scanLimit?: number;
}

const holdsJob = (queue: string, jobId: string) => (run: SyncRun) =>
  run.entries.some((entry) => entry.job?.queue === queue && entry.job.id === jobId);

/**
 * The sync run whose facts reference the job (`job: {queue, id}`): first in the hinted accounts,
 * then among the tenant's most recent runs. Undefined when no retained run has it.
 */
export async function findRunByJob(options: FindRunByJobOptions): Promise<SyncRun | undefined> {
  const matches = holdsJob(options.queue, options.jobId);
  for (const accountId of options.hints) {
    const run = (await options.runs.runsForAccount(options.tenant, accountId)).find(matches);
    if (run) return run;
  }
  const recent = await options.runs.recentRuns({
    tenant: options.tenant,
    limit: options.scanLimit ?? 1000,
  });
  return recent.find(matches);
}
