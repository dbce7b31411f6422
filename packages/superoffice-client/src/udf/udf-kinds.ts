import type { UdfDefinition } from '../entities/udf-layout';

/** What a UDF can hold, as far as the connector cares. */
export type UdfKind = 'list' | 'text' | 'other';

/**
 * The kind of each FieldType name: SuperOffice's UDefFieldType (Number, ShortText, LongText, Date,
 * UnlimitedDate, Checkbox, List, Decimal) plus the older layout names (Edit, Dropdown, ListBox,
 * LeadText — a caption, not a field that holds text).
 */
const KIND_OF_FIELD_TYPE: Readonly<Record<string, UdfKind>> = {
  list: 'list',
  dropdown: 'list',
  listbox: 'list',
  shorttext: 'text',
  longtext: 'text',
  edit: 'text',
  leadtext: 'other',
  checkbox: 'other',
  number: 'other',
  decimal: 'other',
  date: 'other',
  unlimiteddate: 'other',
};

/**
 * Classifies a published UDF by its `FieldType` first: SuperOffice's own layout samples carry
 * `MdoListName` on Checkbox fields (v1ContactEntity_GetPublishedUdefLayout,
 * v1PersonEntity_GetPublishedUdefLayout), so a list name alone does not make a list. Only a
 * FieldType this table does not know falls back to the list name or definition id.
 */
export function udfKind(definition: UdfDefinition): UdfKind {
  const type = (definition.FieldType ?? '').toLowerCase();
  const known = KIND_OF_FIELD_TYPE[type];
  if (known) return known;
  if (definition.MdoListName || (definition.UDListDefinitionId ?? 0) > 0) return 'list';
  if (/text|edit|string/.test(type)) return 'text';
  return 'other';
}

/** The four fields the connector writes (the tenant registry's UDF map). */
export type UdfTargetName = 'vertical' | 'summary' | 'opener' | 'personOpener';

/** What each target needs: the owner, the kinds that can hold its value, the labels that fit. */
export interface UdfTarget {
  readonly name: UdfTargetName;
  readonly variable: string;
  readonly owner: 'Contact' | 'Person';
  readonly kinds: readonly UdfKind[];
  readonly label: RegExp;
  readonly what: string;
}

export const UDF_TARGETS: readonly UdfTarget[] = [
  {
    name: 'vertical',
    variable: 'SO_UDF_VERTICAL',
    owner: 'Contact',
    kinds: ['list'],
    label: /vertical|industr|bransje|segment|sector/i,
    what: 'a Contact list field for the vertical',
  },
  {
    name: 'summary',
    variable: 'SO_UDF_SUMMARY',
    owner: 'Contact',
    kinds: ['text'],
    label: /summary|sammendrag|about|profile/i,
    what: 'a Contact text field labelled like "summary"',
  },
  {
    name: 'opener',
    variable: 'SO_UDF_OPENER',
    owner: 'Contact',
    kinds: ['text'],
    label: /opener|pitch|intro/i,
    what: 'a Contact text field labelled like "opener"',
  },
  {
    name: 'personOpener',
    variable: 'SO_UDF_PERSON_OPENER',
    owner: 'Person',
    kinds: ['text'],
    label: /opener|pitch|intro/i,
    what: 'a Person text field labelled like "opener"',
  },
];

/** A published UDF as the target choice sees it. */
export interface UdfCandidate {
  readonly owner: 'Contact' | 'Person';
  readonly key: string;
  readonly kind: UdfKind;
  readonly label: string | null;
}

/** The fields a target may use: its owner and one of its kinds. */
export function candidatesFor<T extends UdfCandidate>(target: UdfTarget, udfs: readonly T[]): T[] {
  return udfs.filter((u) => u.owner === target.owner && target.kinds.includes(u.kind));
}

/**
 * The field each target would use, chosen by owner, kind and label (a guess a person confirms);
 * no field is used twice. The vertical falls back to the only list field when no label says
 * "vertical". A target with no fitting field is absent from the map.
 */
export function chooseUdfTargets<T extends UdfCandidate>(
  udfs: readonly T[],
): Map<UdfTargetName, T> {
  const chosen = new Map<UdfTargetName, T>();
  const used = new Set<string>();
  for (const target of UDF_TARGETS) {
    const candidates = candidatesFor(target, udfs).filter((u) => !used.has(u.key));
    const labelled = candidates.find((u) => target.label.test(u.label ?? ''));
    const choice =
      labelled ??
      (target.name === 'vertical' && candidates.length === 1 ? candidates[0] : undefined);
    if (!choice) continue;
    used.add(choice.key);
    chosen.set(target.name, choice);
  }
  return chosen;
}
