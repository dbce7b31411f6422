import type { UdfTargetsConfig } from '@so-connector/config';
import { markup, type SafeHtml } from '../html';

/** UDF key → what the connector writes into it, for people reading the dashboard. */
export type FieldNames = ReadonlyMap<string, string>;

const ROLE_NAMES: Readonly<Record<keyof UdfTargetsConfig, string>> = {
  vertical: 'Vertical',
  summary: 'Summary',
  opener: 'Opener',
  personOpener: 'Person opener',
};

/**
 * The names of a tenant's UDF keys (SO_UDF_* for the environment's tenant, the `udf` map of a
 * TENANTS_FILE or stored tenant); a key configured twice keeps its first name.
 */
export function fieldNames(
  udfs: Readonly<Record<keyof UdfTargetsConfig, string | undefined>>,
): FieldNames {
  const names = new Map<string, string>();
  for (const role of Object.keys(ROLE_NAMES) as (keyof UdfTargetsConfig)[]) {
    const key = udfs[role];
    if (key !== undefined && !names.has(key)) names.set(key, ROLE_NAMES[role]);
  }
  return names;
}

/** A field as the dashboard shows it: its name with the UDF key as a tooltip, or the bare key. */
export function fieldName(key: string, names: FieldNames): SafeHtml {
  const name = names.get(key);
  return name === undefined
    ? markup`<span class="field">${key}</span>`
    : markup`<span class="field" title="${key}">${name}</span>`;
}

/** Several fields, comma-separated. */
export function fieldList(keys: readonly string[], names: FieldNames): SafeHtml {
  return markup`${keys.map((key, i) => markup`${i > 0 ? ', ' : ''}${fieldName(key, names)}`)}`;
}
