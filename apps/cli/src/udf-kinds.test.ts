import { describeUdf, suggestUdfLines, udfKind, type DiscoveredUdf } from './udf-kinds';

describe('udfKind', () => {
  it.each([
    [{ FieldType: 'Dropdown', MdoListName: 'udlist1' }, 'list'],
    [{ FieldType: 'List' }, 'list'],
    [{ FieldType: 'ListBox' }, 'list'],
    [{ FieldType: 'Unknown', UDListDefinitionId: 4 }, 'list'],
    [{ FieldType: 'LongText', MdoListName: '' }, 'text'],
    [{ FieldType: 'ShortText' }, 'text'],
    [{ FieldType: 'Edit' }, 'text'],
    [{ FieldType: 'LeadText' }, 'other'],
    [{ FieldType: 'Checkbox' }, 'other'],
    // SuperOffice's layout samples: Checkbox fields with a list name and list ids set.
    [{ FieldType: 'Checkbox', MdoListName: 'Kovacek-Schamberger', ListTableId: 340 }, 'other'],
    [{ FieldType: 'Checkbox', MdoListName: 'Bradtke-Ratke', UDListDefinitionId: 304 }, 'other'],
    [{ FieldType: 'LongText', UDListDefinitionId: 7 }, 'text'],
    [{ FieldType: 'list' }, 'list'],
    [{ FieldType: 'Number' }, 'other'],
    [{}, 'other'],
  ])('%j → %s', (definition, kind) => {
    expect(udfKind(definition)).toBe(kind);
  });
});

describe('describeUdf', () => {
  it('keys a field by ProgId, else SuperOffice:{UdefIdentity}', () => {
    expect(
      describeUdf('Contact', { ProgId: 'Acme.Ai.Summary', FieldType: 'LongText' }, null)?.key,
    ).toBe('Acme.Ai.Summary');
    expect(
      describeUdf('Person', { ProgId: '', UdefIdentity: 91, FieldType: 'Edit' }, null)?.key,
    ).toBe('SuperOffice:91');
    expect(describeUdf('Person', { FieldLabel: 'orphan' }, null)).toBeUndefined();
  });
});

const udf = (
  partial: Partial<DiscoveredUdf> & Pick<DiscoveredUdf, 'key' | 'owner' | 'kind'>,
): DiscoveredUdf => ({
  progId: partial.key,
  label: null,
  fieldType: null,
  textLength: null,
  listName: null,
  listItems: null,
  ...partial,
});

describe('suggestUdfLines', () => {
  const layout = [
    udf({ owner: 'Contact', key: 'SuperOffice:1', kind: 'text', label: 'Notes' }),
    udf({
      owner: 'Contact',
      key: 'SuperOffice:83',
      kind: 'list',
      label: 'Vertical',
      listName: 'udlist1',
      listItems: [{ id: 1, name: 'Retail' }],
    }),
    udf({
      owner: 'Contact',
      key: 'SuperOffice:84',
      kind: 'text',
      label: 'AI summary',
      fieldType: 'LongText',
      textLength: 2000,
    }),
    udf({ owner: 'Contact', key: 'SuperOffice:85', kind: 'text', label: 'AI opener' }),
    udf({ owner: 'Person', key: 'SuperOffice:91', kind: 'text', label: 'AI opener' }),
  ];

  it('picks each target by owner, kind and label', () => {
    expect(suggestUdfLines(layout).filter((l) => !l.startsWith('#'))).toEqual([
      'SO_UDF_VERTICAL=SuperOffice:83',
      'SO_UDF_SUMMARY=SuperOffice:84',
      'SO_UDF_OPENER=SuperOffice:85',
      'SO_UDF_PERSON_OPENER=SuperOffice:91',
    ]);
    expect(suggestUdfLines(layout)).toContain('# Contact "Vertical" (list udlist1, 1 items)');
  });

  it('takes the only list field for the vertical whatever its label', () => {
    const lines = suggestUdfLines([
      udf({ owner: 'Contact', key: 'X.Branch', kind: 'list', label: 'Bransjekode' }),
    ]);
    expect(lines).toContain('SO_UDF_VERTICAL=X.Branch');
  });

  it('comments out what it cannot find, never guessing a text field by position', () => {
    const lines = suggestUdfLines([
      udf({ owner: 'Contact', key: 'SuperOffice:1', kind: 'text', label: 'Notes' }),
    ]);
    expect(lines).toEqual([
      '# SO_UDF_VERTICAL=   (not found: a Contact list field for the vertical)',
      '# SO_UDF_SUMMARY=   (not found: a Contact text field labelled like "summary")',
      '# SO_UDF_OPENER=   (not found: a Contact text field labelled like "opener")',
      '# SO_UDF_PERSON_OPENER=   (not found: a Person text field labelled like "opener")',
    ]);
  });
});
