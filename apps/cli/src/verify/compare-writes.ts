import { diffUdfs } from '@so-connector/enrichment';
import { displayTextKey } from '@so-connector/superoffice-client';
import type { RunFact } from '@so-connector/sync-runs';

/** What the connector last wrote into one field of one record (from the sync-run log). */
export interface WrittenField {
  readonly entity: 'contact' | 'person';
  readonly recordId: number;
  readonly key: string;
  readonly written: string;
  /** When it was written (ISO). */
  readonly at: string;
}

export type FieldStatus = 'match' | 'mismatch' | 'missing-field' | 'record-gone';

export interface FieldComparison extends WrittenField {
  /** What SuperOffice holds now; null when the field or the record is gone. */
  readonly current: string | null;
  /** The list item name of a list UDF (`{key}:DisplayText`), when SuperOffice gave one. */
  readonly currentDisplay: string | null;
  readonly status: FieldStatus;
}

export const recordKey = (entity: 'contact' | 'person', id: number) => `${entity}:${id}`;

/** The latest write of each (record, field) found in an account's facts, oldest record first. */
export function latestWrites(facts: readonly RunFact[]): WrittenField[] {
  const latest = new Map<string, WrittenField>();
  for (const fact of facts) {
    for (const change of fact.fieldsWritten ?? []) {
      const id = `${recordKey(fact.record.entity, fact.record.id)}|${change.key}`;
      const seen = latest.get(id);
      if (seen && seen.at > fact.at) continue;
      latest.set(id, {
        entity: fact.record.entity,
        recordId: fact.record.id,
        key: change.key,
        written: change.new,
        at: fact.at,
      });
    }
  }
  return [...latest.values()].sort(
    (a, b) =>
      (a.entity === b.entity ? 0 : a.entity === 'contact' ? -1 : 1) ||
      a.recordId - b.recordId ||
      a.key.localeCompare(b.key),
  );
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Compares what was written with the records' `UserDefinedFields` as SuperOffice returns them now
 * (`null` record = gone). Equality is the worker's own diff rule (line endings and surrounding
 * blanks do not count), so "match" means the worker would not write again.
 */
export function compareWrites(
  writes: readonly WrittenField[],
  records: ReadonlyMap<string, Readonly<Record<string, unknown>> | null>,
): FieldComparison[] {
  return writes.map((write) => {
    const record = records.get(recordKey(write.entity, write.recordId));
    if (!record) return { ...write, current: null, currentDisplay: null, status: 'record-gone' };
    const udfs = (record.UserDefinedFields ?? record.userDefinedFields) as
      Record<string, unknown> | null | undefined;
    const raw = udfs?.[write.key];
    const display = asText(udfs?.[displayTextKey(write.key)]);
    const current = asText(raw);
    const status: FieldStatus =
      udfs === null || udfs === undefined || !(write.key in udfs)
        ? 'missing-field'
        : diffUdfs({ [write.key]: write.written }, udfs).length === 0
          ? 'match'
          : 'mismatch';
    return { ...write, current, currentDisplay: display || null, status };
  });
}
