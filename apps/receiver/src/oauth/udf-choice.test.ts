import { discoveredUdfMap, isComplete, pickedUdfMap, type UdfField } from './udf-choice';

const field = (
  owner: 'Contact' | 'Person',
  key: string,
  kind: 'list' | 'text' | 'other',
  label: string,
): UdfField => ({
  owner,
  key,
  kind,
  label,
  fieldType: kind === 'list' ? 'List' : 'LongText',
});

const FIELDS = [
  field('Contact', 'SuperOffice:83', 'list', 'Bransje'),
  field('Contact', 'SuperOffice:84', 'text', 'Notes'),
  field('Contact', 'SuperOffice:85', 'text', 'Remarks'),
  field('Contact', 'SuperOffice:86', 'other', 'Active'),
  field('Person', 'SuperOffice:91', 'text', 'AI opener'),
];

describe('discoveredUdfMap', () => {
  it('maps the targets whose fields it recognises and leaves the others to pick', () => {
    const map = discoveredUdfMap(FIELDS);
    expect(map).toEqual({
      vertical: 'SuperOffice:83',
      summary: undefined,
      opener: undefined,
      personOpener: 'SuperOffice:91',
    });
    expect(isComplete(map)).toBe(false);
  });
});

describe('pickedUdfMap', () => {
  it('accepts fields of the right owner and kind, and empty choices', () => {
    expect(
      pickedUdfMap(
        {
          vertical: 'SuperOffice:83',
          summary: 'SuperOffice:84',
          opener: ' SuperOffice:85 ',
          personOpener: '',
        },
        FIELDS,
      ),
    ).toEqual({
      ok: true,
      map: {
        vertical: 'SuperOffice:83',
        summary: 'SuperOffice:84',
        opener: 'SuperOffice:85',
        personOpener: undefined,
      },
    });
  });

  it('refuses a field of another owner or kind, an unknown key and a field used twice', () => {
    const result = pickedUdfMap(
      {
        vertical: 'SuperOffice:84',
        summary: 'SuperOffice:91',
        opener: 'SuperOffice:99',
        personOpener: 'SuperOffice:91',
      },
      [...FIELDS, field('Contact', 'SuperOffice:87', 'text', 'x')],
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        'vertical: SuperOffice:84 is not a Contact list field for the vertical',
        'summary: SuperOffice:91 is not a Contact text field',
        'opener: SuperOffice:99 is not a Contact text field',
      ],
    });
    expect(pickedUdfMap({ summary: 'SuperOffice:84', opener: 'SuperOffice:84' }, FIELDS)).toEqual({
      ok: false,
      problems: ['opener: SuperOffice:84 is already used for summary'],
    });
  });
});
