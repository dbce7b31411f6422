import { fieldList, fieldName, fieldNames } from './field-names';

describe('fieldNames', () => {
  it('names each configured UDF key by what the connector writes into it', () => {
    const names = fieldNames({
      vertical: 'SuperOffice:83',
      summary: 'SuperOffice:84',
      opener: 'SuperOffice:85',
      personOpener: 'SuperOffice:91',
    });
    expect([...names]).toEqual([
      ['SuperOffice:83', 'Vertical'],
      ['SuperOffice:84', 'Summary'],
      ['SuperOffice:85', 'Opener'],
      ['SuperOffice:91', 'Person opener'],
    ]);
  });

  it('leaves out unset keys, and keeps the first name of a key configured twice', () => {
    const names = fieldNames({
      vertical: undefined,
      summary: 'x:1',
      opener: 'x:1',
      personOpener: undefined,
    });
    expect([...names]).toEqual([['x:1', 'Summary']]);
  });
});

describe('fieldName / fieldList', () => {
  const names = fieldNames({
    vertical: 'SuperOffice:83',
    summary: 'SuperOffice:84',
    opener: undefined,
    personOpener: undefined,
  });

  it('shows the name with the key as a tooltip', () => {
    expect(String(fieldName('SuperOffice:83', names))).toBe(
      '<span class="field" title="SuperOffice:83">Vertical</span>',
    );
  });

  it('shows a key it has no name for as it is, escaped', () => {
    expect(String(fieldName('x:"<b>', names))).toBe('<span class="field">x:&quot;&lt;b&gt;</span>');
  });

  it('separates several fields with commas', () => {
    expect(String(fieldList(['SuperOffice:84', 'other:1'], names))).toBe(
      '<span class="field" title="SuperOffice:84">Summary</span>, <span class="field">other:1</span>',
    );
  });
});
