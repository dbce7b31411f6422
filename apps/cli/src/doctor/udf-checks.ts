import type { UdfTargetsConfig } from '@so-connector/config';
import { udfKey, type UdfDefinition } from '@so-connector/superoffice-client';
import { udfKind, type UdfKind } from '../udf-kinds';
import { fail, pass, skip, warn, type CheckResult } from './check-result';

interface Target {
  readonly variable: string;
  readonly key: string | undefined;
  readonly owner: 'Contact' | 'Person';
  readonly kinds: readonly UdfKind[];
}

/** Summaries shorter than this are cut so much that the field is probably the wrong one. */
const SHORT_TEXT = 200;

/** Each configured `SO_UDF_*` key exists in the published layout, with a type that fits. */
export function udfTargetChecks(
  udfs: UdfTargetsConfig,
  layouts: {
    readonly Contact: readonly UdfDefinition[];
    readonly Person: readonly UdfDefinition[];
  },
): CheckResult[] {
  const targets: Target[] = [
    { variable: 'SO_UDF_VERTICAL', key: udfs.vertical, owner: 'Contact', kinds: ['list', 'text'] },
    { variable: 'SO_UDF_SUMMARY', key: udfs.summary, owner: 'Contact', kinds: ['text'] },
    { variable: 'SO_UDF_OPENER', key: udfs.opener, owner: 'Contact', kinds: ['text'] },
    { variable: 'SO_UDF_PERSON_OPENER', key: udfs.personOpener, owner: 'Person', kinds: ['text'] },
  ];
  const out: CheckResult[] = [];
  for (const t of targets) {
    const name = `udf ${t.variable}`;
    if (!t.key) {
      out.push(skip(name, 'not set: the connector does not write this field'));
      continue;
    }
    const definition = layouts[t.owner].find((d) => udfKey(d) === t.key);
    if (!definition) {
      out.push(
        fail(
          name,
          `${t.key} is not in the published ${t.owner} UDF layout`,
          `run so-connector discover and set ${t.variable} to one of its ${t.owner} keys (is the layout published?)`,
        ),
      );
      continue;
    }
    const kind = udfKind(definition);
    const label = `${t.key} "${definition.FieldLabel ?? ''}" (${definition.FieldType ?? '?'})`;
    if (!t.kinds.includes(kind)) {
      out.push(
        fail(
          name,
          `${label} is a ${kind} field; expected ${t.kinds.join(' or ')}`,
          `choose a ${t.kinds.join(' or ')} field with so-connector discover`,
        ),
      );
    } else if (definition.IsReadOnly) {
      out.push(
        fail(
          name,
          `${label} is read-only`,
          'make the field writable in SuperOffice admin, or choose another',
        ),
      );
    } else if (
      t.variable !== 'SO_UDF_VERTICAL' &&
      definition.TextLength &&
      definition.TextLength < SHORT_TEXT
    ) {
      out.push(
        warn(
          name,
          `${label} holds only ${definition.TextLength} characters: longer texts are cut`,
          'a long text field fits better',
        ),
      );
    } else out.push(pass(name, label));
  }
  return out;
}

/** A failed read of the Vertical's list: the call made and SuperOffice's answer. */
export interface ListReadFailure {
  /** e.g. `GET /v1/MDOList/udlist331?flat=true` */
  readonly call: string;
  readonly status: number | undefined;
  readonly message: string;
}

/**
 * The Vertical list resolves: the provider chooses from its items. A list the API cannot read
 * (the live tenant's `MDOList/udlist331` answered 404) is named with the layout's `MdoListName`,
 * `ListTableId` and `UDListDefinitionId`, the call that failed, and the fix: user-defined lists
 * are read as `udlist{listId}` (superoffice-api.md 6.6).
 */
export function verticalListCheck(
  definition: UdfDefinition | undefined,
  items:
    readonly { readonly Name: string; readonly Deleted?: boolean | null | undefined }[] | undefined,
  failure?: ListReadFailure,
): CheckResult {
  if (!definition) return skip('vertical-list', 'no SO_UDF_VERTICAL list field to resolve');
  const key = udfKey(definition) ?? '?';
  if (udfKind(definition) !== 'list')
    return pass('vertical-list', `${key} is a text field: the vertical is written as text`);
  const listName = definition.MdoListName;
  if (!listName)
    return fail(
      'vertical-list',
      `${key} is a list field without a list name in the layout`,
      'check the field in SuperOffice admin; so-connector discover shows the layout',
    );
  if (failure) {
    const listId = definition.UDListDefinitionId;
    const layout = `layout: MdoListName ${listName}, ListTableId ${definition.ListTableId ?? '?'}, UDListDefinitionId ${listId ?? '?'}`;
    const expected = listId ? `udlist${listId}` : undefined;
    const answer = failure.status === undefined ? failure.message : `HTTP ${failure.status}`;
    return fail(
      'vertical-list',
      `list ${listName} of ${key} cannot be read: ${failure.call} answered ${answer} (${layout}); enrichment writes the other fields but not the vertical`,
      [
        'user-defined lists are read as udlist{listId}, the list’s own id (superoffice-api.md 6.6)',
        expected && expected !== listName.toLowerCase()
          ? `: the layout’s UDListDefinitionId says ${expected}; check with so-connector raw GET /v1/MDOList/${expected}?flat=true`
          : `: check the list’s id in SuperOffice admin (Lists) and with so-connector raw GET /v1/MDOList/udlist<id>?flat=true`,
        failure.status === 403
          ? '; the API user also needs the right to read this list'
          : '; if the list was deleted, point the field at a live list',
      ].join(''),
    );
  }
  const live = (items ?? []).filter((i) => !i.Deleted);
  if (live.length === 0)
    return fail(
      'vertical-list',
      `list ${listName} has no items`,
      'add the verticals to the list in SuperOffice admin',
    );
  const names = live
    .slice(0, 5)
    .map((i) => i.Name)
    .join(', ');
  return pass(
    'vertical-list',
    `list ${listName}: ${live.length} items (${names}${live.length > 5 ? ', …' : ''})`,
  );
}
