import {
  chooseUdfTargets,
  udfKey,
  udfKind,
  UDF_TARGETS,
  type UdfDefinition,
  type UdfKind,
} from '@so-connector/superoffice-client';

export { udfKind, type UdfKind };

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

/**
 * The `SO_UDF_*` lines to suggest, chosen by owner, kind and label (a guess the operator
 * confirms). The vertical falls back to the only list field when no label says "vertical".
 */
export function suggestUdfLines(udfs: readonly DiscoveredUdf[]): string[] {
  const lines: string[] = [];
  const chosen = chooseUdfTargets(udfs);
  for (const target of UDF_TARGETS) {
    const choice = chosen.get(target.name);
    if (!choice) {
      lines.push(`# ${target.variable}=   (not found: ${target.what})`);
      continue;
    }
    const about =
      choice.kind === 'list'
        ? `list ${choice.listName ?? '?'}, ${choice.listItems?.length ?? 0} items`
        : `${choice.fieldType ?? 'text'}${choice.textLength ? `, up to ${choice.textLength} characters` : ''}`;
    lines.push(`# ${choice.owner} "${choice.label ?? choice.key}" (${about})`);
    lines.push(`${target.variable}=${choice.key}`);
  }
  return lines;
}
