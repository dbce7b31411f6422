/**
 * Whether a record a query returned needs an enrichment (a read), decided from the query row alone.
 * Shared by the reconciliation sweep and the backfill.
 */

/** Why a record is read … */
export type ReadReason =
  /** … no enrichment of it is stored (new, never enriched, or stored longer ago than the TTL). */
  | 'never-enriched'
  /** … what the provider reads changed since the stored enrichment. */
  | 'inputs-changed'
  /** … its inputs are as enriched, but a UDF the connector filled is empty now. */
  | 'values-cleared'
  /** … the feed did not answer every input column, so the row cannot tell. */
  | 'inputs-unknown';

/** Why it is not. */
export type SkipReason =
  /** A webhook event for this change (or a later one) was handled. */
  | 'event-handled'
  /** Nothing the enrichment reads or wrote changed (a phone number, the connector's own write). */
  | 'unchanged';

export type RowVerdict =
  | { readonly read: true; readonly reason: ReadReason }
  | { readonly read: false; readonly reason: SkipReason };

export interface RowFacts {
  /** The row's `updatedDate` (`YYYY-MM-DDTHH:MM:SS`). */
  readonly updatedDate: string | null;
  /** The record's last seen change (SeenChanges); undefined when none (or not consulted). */
  readonly seenChange?: string | undefined;
  /** targetedFingerprint of what the row holds; undefined when the row cannot give it. */
  readonly print: string | undefined;
  /** The stored last successful enrichment. */
  readonly stored:
    { readonly fingerprint: string; readonly values: Record<string, string> } | undefined;
  /** The row's current values of the target UDFs. */
  readonly udfs: Readonly<Record<string, unknown>> | null | undefined;
}

/**
 * Whether a handled event covers the row: its marker is at or after the row's `updatedDate`.
 * SuperOffice's `updated` has whole seconds, so a change whose event SuperOffice dropped, saved in
 * the same second as a change whose event was handled, counts as seen: where that other change was
 * a relevant one, its enrichment reads the record after that second and sees both. The connector's
 * own write-backs (echoes) set no marker (events.processor.ts), so a human save in the same second
 * as the connector's write is not covered: the row's fingerprint decides.
 */
export function seenCovers(facts: Pick<RowFacts, 'updatedDate' | 'seenChange'>): boolean {
  return Boolean(facts.seenChange && facts.updatedDate && facts.seenChange >= facts.updatedDate);
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

/**
 * A human change the connector saw as an event needs nothing more: the event was decided, and a
 * relevant one enriched with a fresh read. So a person whose company changed later is not re-read,
 * as on the webhook path — unless the person's last save is the connector's own write-back, which
 * sets no marker: its fingerprint then includes the company's as it is now, and a company changed
 * since the enrichment reads the person again (the price of not missing a human save in the
 * write-back's second; see seenCovers). Otherwise the row is
 * compared with the stored enrichment: the same fingerprint means nothing the provider reads
 * changed. A target UDF a human emptied since is read and written back from the stored values
 * without a provider call, as the webhook path does for a `userdef_id` change (DESIGN.md
 * "Filters"), so whether its event arrived or not, the result is the same.
 */
export function decideRow(facts: RowFacts): RowVerdict {
  if (seenCovers(facts)) return { read: false, reason: 'event-handled' };
  if (!facts.stored) return { read: true, reason: 'never-enriched' };
  if (facts.print === undefined) return { read: true, reason: 'inputs-unknown' };
  if (facts.stored.fingerprint !== facts.print) return { read: true, reason: 'inputs-changed' };
  const cleared = Object.entries(facts.stored.values).some(
    ([key, value]) => !isEmpty(value) && isEmpty(facts.udfs?.[key]),
  );
  return cleared ? { read: true, reason: 'values-cleared' } : { read: false, reason: 'unchanged' };
}

/** Whether reading for this reason may call the provider (a cleared value is restored from store). */
export function mayCallProvider(verdict: RowVerdict): boolean {
  return verdict.read && verdict.reason !== 'values-cleared';
}

/**
 * Whether a scheduled sweep leaves a row to the next sweep: updated less than `graceMs` before the
 * sweep began, its webhook event is most likely still on its way (and an enrichment would wait
 * that long anyway). The next sweep starts RECONCILE_OVERLAP_MS before this one ended, so it sees
 * the row again. `updatedDate` is UTC (the archive's `updatedDate`).
 */
export function tooRecent(updatedDate: string | null, sweepAt: number, graceMs: number): boolean {
  if (!updatedDate || graceMs <= 0) return false;
  const at = Date.parse(`${updatedDate.replace(/Z$/, '')}Z`);
  return Number.isFinite(at) && at > sweepAt - graceMs;
}
