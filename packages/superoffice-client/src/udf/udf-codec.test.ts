import {
  displayTextKey,
  formatUdfValue,
  isCompanionKey,
  parseUdfValue,
  readUdfs,
  type UdfValue,
} from './udf-codec';

describe('parseUdfValue / formatUdfValue', () => {
  it.each<[string, UdfValue]>([
    ['[I:123]', { kind: 'int', value: 123 }],
    ['[I:-7]', { kind: 'int', value: -7 }],
    ['[F:1.5]', { kind: 'float', value: 1.5 }],
    ['[M:123.45]', { kind: 'money', value: 123.45 }],
    ['[D:11/30/2011]', { kind: 'date', value: { year: 2011, month: 11, day: 30 } }],
    [
      '[DT:09/16/2025 14:22:14.0000000]',
      { kind: 'datetime', value: '2025-09-16T14:22:14.0000000' },
    ],
    ['[T:14:52]', { kind: 'time', value: '14:52' }],
    ['[TS:500]', { kind: 'timespan', value: 500 }],
    ['[A:3,4,5]', { kind: 'intArray', value: [3, 4, 5] }],
    ['[B:AAEC]', { kind: 'binary', value: 'AAEC' }],
    ['Acme AS', { kind: 'string', value: 'Acme AS' }],
    ['', { kind: 'empty' }],
  ])('round-trips %s', (raw, value) => {
    expect(parseUdfValue(raw)).toEqual(value);
    expect(formatUdfValue(value)).toBe(raw);
  });

  it('reads the dotted date form some docs show (dd.MM.yyyy) and writes the documented one', () => {
    const value = parseUdfValue('[D:09.11.2017]');
    expect(value).toEqual({ kind: 'date', value: { year: 2017, month: 11, day: 9 } });
    expect(formatUdfValue(value)).toBe('[D:11/09/2017]');
  });

  it('pads a date-time without fractions', () => {
    expect(parseUdfValue('[DT:1/2/2024 3:04]')).toEqual({
      kind: 'datetime',
      value: '2024-01-02T03:04:00.0000000',
    });
  });

  it.each([
    ['plain number text stays text', '123', { kind: 'string', value: '123' }],
    ['plain boolean text stays text', 'True', { kind: 'string', value: 'True' }],
    ['a bracketed word is text', '[note] call back', { kind: 'string', value: '[note] call back' }],
    ['a JSON number', 42, { kind: 'int', value: 42 }],
    ['a JSON fraction', 2.5, { kind: 'float', value: 2.5 }],
    ['null', null, { kind: 'empty' }],
  ])('%s', (_label, raw, expected) => {
    expect(parseUdfValue(raw)).toEqual(expected);
  });

  it.each([
    ['a nested object (seen on a production tenant)', { Value: 'x', Id: 3 }],
    ['an array', ['a']],
    ['a boolean', true],
    ['a broken moniker', '[I:abc]'],
    ['an impossible date', '[D:13/45/2020]'],
  ])('keeps %s as unknown instead of throwing', (_label, raw) => {
    expect(parseUdfValue(raw)).toEqual({ kind: 'unknown', raw });
  });

  it('refuses to write an unknown value back', () => {
    expect(() => formatUdfValue({ kind: 'unknown', raw: {} })).toThrow(
      '[superoffice-client] an unknown UDF value cannot be written back',
    );
  });
});

describe('readUdfs', () => {
  it('attaches DisplayText companions to list fields and skips companion keys', () => {
    const fields = readUdfs({
      'SuperOffice:1': 'Some summary',
      'SuperOffice:7': '[I:23]',
      'SuperOffice:7:DisplayText': 'Gold',
      'SuperOffice:7:DisplayTooltip': 'Gold tier',
      'SuperOffice:1:org': 'Some summary',
      'Acme.Connector.Nested': { unexpected: true },
    });
    expect([...fields.keys()]).toEqual(['SuperOffice:1', 'SuperOffice:7', 'Acme.Connector.Nested']);
    expect(fields.get('SuperOffice:7')).toEqual({
      key: 'SuperOffice:7',
      raw: '[I:23]',
      value: { kind: 'int', value: 23 },
      displayText: 'Gold',
    });
    expect(fields.get('Acme.Connector.Nested')?.value).toEqual({
      kind: 'unknown',
      raw: { unexpected: true },
    });
  });

  it('tolerates a missing dictionary', () => {
    expect(readUdfs(null).size).toBe(0);
    expect(readUdfs(undefined).size).toBe(0);
  });

  it('names companions', () => {
    expect(displayTextKey('SuperOffice:83')).toBe('SuperOffice:83:DisplayText');
    expect(isCompanionKey('SuperOffice:83:DisplayText')).toBe(true);
    expect(isCompanionKey('SuperOffice:83')).toBe(false);
  });
});
