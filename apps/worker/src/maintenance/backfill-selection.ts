import type { BackfillSpec } from '@so-connector/queue';
import { allOf, oneOf, updatedAfter } from '@so-connector/superoffice-client';

/** Without a date filter the feed still gets one: SuperOffice asks that every query have a filter. */
const EVER = '1900-01-01T00:00:00';

/** An `oneOf` clause per 500 ids, so one query stays a reasonable URL. */
export const IDS_PER_QUERY = 500;

/** Whether the selection narrows by company columns (owner, category, business). */
export function hasCompanyScope(spec: BackfillSpec): boolean {
  return Boolean(spec.owners?.length || spec.categories?.length || spec.businesses?.length);
}

/** The company-column clauses: for companies themselves, and for the companies of persons. */
export function companyScope(spec: BackfillSpec): string[] {
  const clauses: string[] = [];
  if (spec.owners?.length) clauses.push(oneOf('associateId', spec.owners));
  if (spec.categories?.length) clauses.push(oneOf('category', spec.categories));
  if (spec.businesses?.length) clauses.push(oneOf('business', spec.businesses));
  return clauses;
}

/**
 * The `$filter`s of a backfill's selection, one per query (an id list is split into chunks).
 * Companies: updated since, owner, category, business, ids. Persons: updated since and ids; the
 * company columns select persons through their company (the caller filters by company id).
 * "Target UDF empty" is decided on the rows, as the feed's filter grammar has no `or`.
 */
export function selectionFilters(spec: BackfillSpec, entity: 'contact' | 'person'): string[] {
  const clauses = [
    updatedAfter(spec.updatedSince ?? EVER),
    ...(entity === 'contact' ? companyScope(spec) : []),
  ];
  if (!spec.ids?.length) return [allOf(clauses)];
  const key = entity === 'contact' ? 'contactId' : 'personId';
  const out: string[] = [];
  for (let i = 0; i < spec.ids.length; i += IDS_PER_QUERY)
    out.push(allOf([...clauses, oneOf(key, spec.ids.slice(i, i + IDS_PER_QUERY))]));
  return out;
}

/** Whether any of the target UDFs is empty in a row's values. */
export function someTargetEmpty(
  udfs: Readonly<Record<string, unknown>> | null | undefined,
  keys: readonly string[],
): boolean {
  return keys.some((k) => udfs?.[k] === undefined || udfs[k] === null || udfs[k] === '');
}

/** Per-record SuperOffice calls of an enrichment: the record's read (a person's company too) and at most one PATCH. */
export function callsPerRecord(entity: 'contact' | 'person'): number {
  return entity === 'person' ? 3 : 2;
}

/** Milliseconds to wait before enqueuing the next record so that `done` records take `done / rate` minutes. */
export function paceDelay(startedAt: number, done: number, ratePerMinute: number, now: number) {
  return Math.max(0, startedAt + (done * 60_000) / ratePerMinute - now);
}
