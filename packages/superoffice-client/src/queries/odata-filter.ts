/**
 * `$filter` clauses of SuperOffice's OData feeds (superoffice-api.md 6.7): `column op value`,
 * joined with `and`. Only the operators the connector uses.
 */

/** A string literal: single quotes, an inner quote doubled (OData). */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Records updated after `iso` (Sesam's incremental-sync operator, `afterTime`). */
export function updatedAfter(iso: string): string {
  return `updatedDate afterTime ${quote(iso)}`;
}

/** `column oneOf(1,2,3)`: ids of records, associates or list items. */
export function oneOf(column: string, values: readonly (number | string)[]): string {
  if (values.length === 0) throw new Error('[superoffice-client] oneOf needs at least one value');
  return `${column} oneOf(${values.map((v) => (typeof v === 'number' ? String(v) : quote(v))).join(',')})`;
}

/** `column eq ''`: an empty text or UDF column. */
export function isEmpty(column: string): string {
  return `${column} eq ''`;
}

/** All clauses; an empty list is no filter (the feeds ask for one; callers pass at least one). */
export function allOf(clauses: readonly string[]): string {
  return clauses.join(' and ');
}
