import { shapeDifferences, valueForm } from './value-forms';

// The comparison the simulator tests rely on must be able to fail.
describe('shapeDifferences', () => {
  const documented = {
    ContactId: 912,
    UpdatedDate: '2003-02-02T14:34:01.7525885+01:00',
    Associate: null,
    Urls: [{ Value: 'vel', StrippedValue: 'eius' }],
    UserDefinedFields: { 'SuperOffice:1': 'text' },
  };

  it('accepts fewer keys, a filled null and other dictionary keys', () => {
    expect(
      shapeDifferences(
        {
          ContactId: 2,
          Associate: { AssociateId: 5 },
          Urls: [{ Value: 'https://x.no' }],
          UserDefinedFields: { 'SuperOffice:83': '[I:2]' },
        },
        documented,
      ),
    ).toEqual([]);
  });

  it('names an invented key, another value form and another date form', () => {
    expect(
      shapeDifferences(
        {
          ContactId: '2',
          UpdatedDate: '2024-01-15T09:00:00',
          Urls: [{ Value: 'x', Url: 'x' }],
          UserDefinedFields: { 'SuperOffice:83': 2 },
          Invented: true,
        },
        documented,
      ),
    ).toEqual([
      '$.ContactId: string where SuperOffice documents integer',
      '$.UpdatedDate: datetime-zoneless where SuperOffice documents datetime-offset',
      "$.Urls[0].Url: not in SuperOffice's sample",
      '$.UserDefinedFields.*: integer where SuperOffice documents string',
      "$.Invented: not in SuperOffice's sample",
    ]);
  });

  it('classifies the documented date forms', () => {
    expect(valueForm('2009-09-11T14:35:43.880659+02:00')).toBe('datetime-offset');
    expect(valueForm('2025-02-26T14:28:26')).toBe('datetime-zoneless');
    expect(valueForm('2025-02-26')).toBe('string');
  });
});
