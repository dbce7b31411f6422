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
 * Whether a handled event covers the row. SuperOffice's `updated` has whole seconds, so an event's
 * marker equal to the row's `updatedDate` may be for that change or for another one saved in the
 * same second (the connector's own write-back and a human's edit right after it, whose event was
 * dropped): only a strictly later marker covers the row on its own.
 */
export function seenCovers(facts: Pick<RowFacts, 'updatedDate' | 'seenChange'>): boolean {
  return Boolean(facts.seenChange && facts.updatedDate && facts.seenChange > facts.updatedDate);
}

const isEmpty = (value: unknown) => value === undefined || value === null || value === '';

/**
 * A change the connector saw as an event needs nothing more: the event was decided, and a relevant
 * one enriched with a fresh read. Otherwise the row is compared with the stored enrichment: the
 * same fingerprint means nothing the provider reads changed. A target UDF a human emptied since is
 * read and written back from the stored values without a provider call, as the webhook path does
 * for a `userdef_id` change (DESIGN.md "Filters"), so whether its event arrived or not, the result
 * is the same.
 *
 * A marker in the same second as the row (see seenCovers) covers the row only when there is no
 * stored enrichment to compare with (the event's decision stands: skipped as irrelevant, or its
 * enrichment has not finished yet); with one, the fingerprints decide.
 */
export function decideRow(facts: RowFacts): RowVerdict {
  if (seenCovers(facts)) return { read: false, reason: 'event-handled' };
  const sameSecond = Boolean(facts.seenChange && facts.seenChange === facts.updatedDate);
  if (!facts.stored)
    return sameSecond
      ? { read: false, reason: 'event-handled' }
      : { read: true, reason: 'never-enriched' };
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
