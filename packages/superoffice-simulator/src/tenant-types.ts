/** The simulated tenant's record and change types, and how it writes dates. */

export type EntityKind = 'contact' | 'person';
export type Entity = Record<string, unknown>;

/** What the dispatcher turns into a webhook delivery. */
export interface ChangeEvent {
  readonly event: string;
  readonly entity: EntityKind;
  readonly primaryKey: number;
  readonly changes: readonly string[];
  readonly changedByAssociateId: number;
  readonly fieldValues: Record<string, unknown>;
}

export interface UdfDefinitionSeed {
  readonly progId: string;
  readonly label: string;
  readonly type: 'text' | 'list';
  readonly textLength?: number | undefined;
  readonly list?: string | undefined;
}

/**
 * How the tenant writes UpdatedDate/CreatedDate: `zoneless` (`2024-01-15T09:00:00`, UTC; the
 * default) or `offset`, the form of SuperOffice's REST samples (`2024-01-15T10:00:00.0000000+01:00`,
 * v1ContactEntity_GetContactEntity), here with a +01:00 offset.
 */
export type DateForm = 'zoneless' | 'offset';

/** `date` as a tenant with this DateForm writes it. */
export function stamp(date: Date, form: DateForm): string {
  if (form === 'zoneless') return date.toISOString().slice(0, 19);
  const local = new Date(date.getTime() + 3_600_000).toISOString();
  return `${local.slice(0, 19)}.${local.slice(20, 23)}0000+01:00`;
}

/** Milliseconds since the epoch of a date the tenant wrote (either form). */
export function instantOf(text: string): number {
  return Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`);
}

/**
 * The `FieldValues` a webhook carries for a saved record (superoffice-api.md 6.4): the database
 * columns SuperOffice sends, `updated` among them.
 */
export function fieldValuesOf(
  kind: EntityKind,
  id: number,
  by: number,
  record: Entity,
): Record<string, unknown> {
  const owner = (record.Associate as { AssociateId?: number } | null | undefined)?.AssociateId ?? 0;
  return kind === 'contact'
    ? {
        associate_id: owner,
        business_idx: (record.Business as { Id?: number } | null)?.Id ?? 0,
        category_idx: (record.Category as { Id?: number } | null)?.Id ?? 0,
        country_id: (record.Country as { CountryId?: number } | null)?.CountryId ?? 0,
        deleted: 0,
        updated: record.UpdatedDate,
        userdef_id: id,
      }
    : {
        contact_id: (record.Contact as { ContactId?: number } | null)?.ContactId ?? 0,
        person_id: id,
        position_idx: (record.Position as { Id?: number } | null)?.Id ?? 0,
        retired: 0,
        updated: record.UpdatedDate,
        updated_associate_id: by,
      };
}
