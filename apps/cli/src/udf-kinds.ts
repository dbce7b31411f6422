import { udfKey, type UdfDefinition } from '@so-connector/superoffice-client';

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

/** One row of `discover`. */
export interface DiscoveredUdf {
  readonly owner: 'Contact' | 'Person';
  readonly key: string;
  readonly progId: string | null;
  readonly label: string | null;
  readonly fieldType: string | null;
  readonly kind: UdfKind;
  readonly textLength: number | null;
  readonly listName: string | null;
  readonly listItems: readonly { id: number; name: string }[] | null;
  /** Why the list's items could not be read, when they could not. */
  readonly listError?: string;
}

export function describeUdf(
  owner: 'Contact' | 'Person',
  definition: UdfDefinition,
  listItems: readonly { id: number; name: string }[] | null,
): DiscoveredUdf | undefined {
  const key = udfKey(definition);
  if (!key) return undefined;
  return {
    owner,
    key,
    progId: definition.ProgId || null,
    label: definition.FieldLabel ?? null,
    fieldType: definition.FieldType ?? null,
    kind: udfKind(definition),
    textLength: definition.TextLength ?? null,
    listName: definition.MdoListName || null,
    listItems,
  };
}

interface Target {
  readonly variable: string;
  readonly owner: 'Contact' | 'Person';
  readonly kinds: readonly UdfKind[];
  readonly label: RegExp;
  readonly what: string;
}

const TARGETS: readonly Target[] = [
  {
    variable: 'SO_UDF_VERTICAL',
    owner: 'Contact',
    kinds: ['list'],
    label: /vertical|industr|bransje|segment|sector/i,
    what: 'a Contact list field for the vertical',
  },
  {
    variable: 'SO_UDF_SUMMARY',
    owner: 'Contact',
    kinds: ['text'],
    label: /summary|sammendrag|about|profile/i,
    what: 'a Contact text field labelled like "summary"',
  },
  {
    variable: 'SO_UDF_OPENER',
    owner: 'Contact',
    kinds: ['text'],
    label: /opener|pitch|intro/i,
    what: 'a Contact text field labelled like "opener"',
  },
  {
    variable: 'SO_UDF_PERSON_OPENER',
    owner: 'Person',
    kinds: ['text'],
    label: /opener|pitch|intro/i,
    what: 'a Person text field labelled like "opener"',
  },
];

/**
 * The `SO_UDF_*` lines to suggest, chosen by owner, kind and label (a guess the operator
 * confirms). The vertical falls back to the only list field when no label says "vertical".
 */
export function suggestUdfLines(udfs: readonly DiscoveredUdf[]): string[] {
  const lines: string[] = [];
  const used = new Set<string>();
  for (const target of TARGETS) {
    const candidates = udfs.filter(
      (u) => u.owner === target.owner && target.kinds.includes(u.kind) && !used.has(u.key),
    );
    const labelled = candidates.find((u) => target.label.test(u.label ?? ''));
    const choice =
      labelled ??
      (target.variable === 'SO_UDF_VERTICAL' && candidates.length === 1
        ? candidates[0]
        : undefined);
    if (!choice) {
      lines.push(`# ${target.variable}=   (not found: ${target.what})`);
      continue;
    }
    used.add(choice.key);
    const about =
      choice.kind === 'list'
        ? `list ${choice.listName ?? '?'}, ${choice.listItems?.length ?? 0} items`
        : `${choice.fieldType ?? 'text'}${choice.textLength ? `, up to ${choice.textLength} characters` : ''}`;
    lines.push(`# ${choice.owner} "${choice.label ?? choice.key}" (${about})`);
    lines.push(`${target.variable}=${choice.key}`);
  }
  return lines;
}
