import { parseSuperOfficeDate, toHttpDate } from './superoffice-date';

describe('parseSuperOfficeDate', () => {
  it.each([
    // The documented values: REST samples (offset, 7 and 6 fraction digits).
    ['2003-02-02T14:34:01.7525885+01:00', Date.UTC(2003, 1, 2, 13, 34, 1, 752), true],
    ['2009-09-11T14:35:43.880659+02:00', Date.UTC(2009, 8, 11, 12, 35, 43, 880), true],
    ['2023-06-16T14:34:02.9242705+02:00', Date.UTC(2023, 5, 16, 12, 34, 2, 924), true],
    // Zone-less (superoffice-api.md 6.3, the simulator), read as UTC.
    ['2025-02-26T14:28:26', Date.UTC(2025, 1, 26, 14, 28, 26), false],
    ['2025-09-16T14:22:14.0000000', Date.UTC(2025, 8, 16, 14, 22, 14), false],
    ['2025-05-14T10:48:07Z', Date.UTC(2025, 4, 14, 10, 48, 7), true],
    ['2019-09-11', Date.UTC(2019, 8, 11), false],
    ['2019-09-11T08:00:00-0230', Date.UTC(2019, 8, 11, 10, 30), true],
  ])('%s', (text, epochMs, hasZone) => {
    expect(parseSuperOfficeDate(text)).toEqual({ epochMs, hasZone });
  });

  it.each(['', 'yesterday', '2025-02-30T10:00:00', '2025-01-01T24:61:00', '09/16/2025 14:22'])(
    'is undefined for %j, never a throw or an Invalid Date',
    (text) => {
      expect(parseSuperOfficeDate(text)).toBeUndefined();
    },
  );

  it('is undefined for null and undefined', () => {
    expect(parseSuperOfficeDate(null)).toBeUndefined();
    expect(parseSuperOfficeDate(undefined)).toBeUndefined();
  });
});

describe('toHttpDate', () => {
  it('gives If-Unmodified-Since for the documented offset form (was "Invalid Date")', () => {
    // The sample's Last-Modified header is "Sun, 02 Feb 2003 14:34:01" in the record's own zone.
    expect(toHttpDate('2003-02-02T14:34:01.7525885+01:00')).toBe('Sun, 02 Feb 2003 13:34:01 GMT');
    expect(toHttpDate('2025-02-26T14:28:26')).toBe('Wed, 26 Feb 2025 14:28:26 GMT');
    expect(toHttpDate('not a date')).toBeUndefined();
  });
});
