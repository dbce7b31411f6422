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
    ['[D:09.11.2017]', { kind: 'date', value: { year: 2017, month: 11, day: 9 }, form: 'dotted' }],
    [
      '[DT:09/16/2025 14:22:14.0000000]',
      { kind: 'datetime', value: '2025-09-16T14:22:14.0000000' },
    ],
    // Quoted in SuperOffice's entity reference: "[I:123]" or "[DT:2019-09-11]".
    ['[DT:2019-09-11]', { kind: 'datetime', value: '2019-09-11', form: 'iso' }],
    ['[DT:2019-09-11T08:30:00]', { kind: 'datetime', value: '2019-09-11T08:30:00', form: 'iso' }],
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

  it('writes a date-time built by a caller in the documented US form', () => {
    expect(formatUdfValue({ kind: 'datetime', value: '2024-01-02T03:04:00' })).toBe(
      '[DT:01/02/2024 03:04:00.0000000]',
    );
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
  ])('without a field type: %s', (_label, raw, expected) => {
    expect(parseUdfValue(raw)).toEqual(expected);
  });

  it.each([
    ['a nested object (seen on a production tenant)', { Value: 'x', Id: 3 }, 'a object'],
    ['an array', ['a'], 'a object'],
    ['a boolean', true, 'a boolean'],
    ['a broken moniker', '[I:abc]', '[I:…] does not parse'],
    ['an impossible date', '[D:13/45/2020]', '[D:…] does not parse'],
    ['an impossible date-time', '[DT:2019-02-30]', '[DT:…] does not parse'],
  ])('keeps %s as unknown with the reason instead of throwing', (_label, raw, reason) => {
    expect(parseUdfValue(raw)).toEqual({
      kind: 'unknown',
      raw,
      reason: expect.stringContaining(reason) as unknown,
    });
  });

  it('writes an unknown value back verbatim instead of throwing', () => {
    expect(formatUdfValue(parseUdfValue('[I:abc]'))).toBe('[I:abc]');
    expect(formatUdfValue(parseUdfValue('[Q:new moniker]'))).toBe('[Q:new moniker]');
    expect(formatUdfValue(parseUdfValue({ Value: 'x' }))).toBe('{"Value":"x"}');
  });
});

describe('parseUdfValue by the layout FieldType', () => {
  it.each<[string, string, UdfValue]>([
    ['Checkbox', 'False', { kind: 'bool', value: false }],
    ['Checkbox', 'True', { kind: 'bool', value: true }],
    ['Checkbox', '1', { kind: 'bool', value: true, form: 'digit' }],
    ['Checkbox', '0', { kind: 'bool', value: false, form: 'digit' }],
    ['Checkbox', '[I:1]', { kind: 'bool', value: true, form: 'moniker' }],
    ['Number', '938973347', { kind: 'int', value: 938973347, form: 'plain' }],
    ['Number', '[I:12]', { kind: 'int', value: 12 }],
    ['List', '[I:23]', { kind: 'int', value: 23 }],
    ['List', '23', { kind: 'int', value: 23, form: 'plain' }],
    ['Decimal', '12.5', { kind: 'float', value: 12.5, form: 'plain' }],
    ['Decimal', '[F:12.5]', { kind: 'float', value: 12.5 }],
    ['Date', '[D:11/30/2011]', { kind: 'date', value: { year: 2011, month: 11, day: 30 } }],
    [
      'Date',
      '2019-09-11',
      { kind: 'date', value: { year: 2019, month: 9, day: 11 }, form: 'iso', plain: true },
    ],
    ['UnlimitedDate', '[DT:2019-09-11]', { kind: 'datetime', value: '2019-09-11', form: 'iso' }],
    ['ShortText', '[I:1]', { kind: 'string', value: '[I:1]' }],
    ['LongText', '123', { kind: 'string', value: '123' }],
  ])('%s %j round-trips', (type, raw, value) => {
    expect(parseUdfValue(raw, type)).toEqual(value);
    expect(formatUdfValue(value)).toBe(raw);
  });

  it('compares the FieldType case-insensitively and reads JSON numbers and booleans of a checkbox', () => {
    expect(parseUdfValue('false', 'checkbox')).toEqual({ kind: 'bool', value: false });
    expect(parseUdfValue(1, 'Checkbox')).toEqual({ kind: 'bool', value: true, form: 'digit' });
    expect(parseUdfValue(false, 'Checkbox')).toEqual({ kind: 'bool', value: false });
  });

  it.each([
    ['Checkbox', 'maybe', 'not a Checkbox value'],
    ['Number', 'twelve', 'not a Number value'],
    ['List', 'Gold', 'not a List value'],
  ])('keeps a %s value it does not know (%j) verbatim, saying so', (type, raw, reason) => {
    const value = parseUdfValue(raw, type);
    expect(value).toEqual({
      kind: 'unknown',
      raw,
      reason: expect.stringContaining(reason) as unknown,
    });
    expect(formatUdfValue(value)).toBe(raw);
  });

  it('reads an unknown FieldType by the value shape', () => {
    expect(parseUdfValue('[I:3]', 'Hyperlink')).toEqual({ kind: 'int', value: 3 });
    expect(parseUdfValue('x', 'Hyperlink')).toEqual({ kind: 'string', value: 'x' });
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
    expect(fields.get('Acme.Connector.Nested')?.value).toMatchObject({
      kind: 'unknown',
      raw: { unexpected: true },
    });
  });

  it('reads each value by the FieldType given for its key', () => {
    const fields = readUdfs(
      { 'SuperOffice:1': '123', 'SuperOffice:2': '123', 'SuperOffice:3': 'False' },
      { 'SuperOffice:1': 'Number', 'SuperOffice:3': 'Checkbox' },
    );
    expect(fields.get('SuperOffice:1')?.value).toEqual({ kind: 'int', value: 123, form: 'plain' });
    expect(fields.get('SuperOffice:2')?.value).toEqual({ kind: 'string', value: '123' });
    expect(fields.get('SuperOffice:3')?.value).toEqual({ kind: 'bool', value: false });
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
