import { decideRow, mayCallProvider, tooRecent, type RowFacts } from './row-decision';
import { normaliseStamp } from './seen-changes';

const stored = { fingerprint: 'print-a', values: { 'SuperOffice:84': 'A summary' } };
const facts = (over: Partial<RowFacts> = {}): RowFacts => ({
  updatedDate: '2026-11-30T10:00:05',
  seenChange: undefined,
  print: 'print-a',
  stored,
  udfs: { 'SuperOffice:84': 'A summary' },
  ...over,
});

describe('decideRow', () => {
  it('skips a change whose event was handled (marker at or after the row), whatever else changed', () => {
    expect(decideRow(facts({ seenChange: '2026-11-30T10:00:05', print: 'print-b' }))).toEqual({
      read: false,
      reason: 'event-handled',
    });
    expect(decideRow(facts({ seenChange: '2026-11-30T10:01:00', stored: undefined }))).toEqual({
      read: false,
      reason: 'event-handled',
    });
  });

  it('an older marker does not cover a later change', () => {
    expect(decideRow(facts({ seenChange: '2026-11-30T10:00:04', print: 'print-b' }))).toEqual({
      read: true,
      reason: 'inputs-changed',
    });
  });

  it('skips a record whose inputs and written values are as enriched (a phone number changed)', () => {
    expect(decideRow(facts())).toEqual({ read: false, reason: 'unchanged' });
  });

  it('reads a record never enriched, and one whose row could not give its inputs', () => {
    expect(decideRow(facts({ stored: undefined }))).toEqual({
      read: true,
      reason: 'never-enriched',
    });
    expect(decideRow(facts({ print: undefined }))).toEqual({
      read: true,
      reason: 'inputs-unknown',
    });
  });

  it('reads a record whose target UDF a human emptied, without a provider call', () => {
    const verdict = decideRow(facts({ udfs: { 'SuperOffice:84': '' } }));
    expect(verdict).toEqual({ read: true, reason: 'values-cleared' });
    expect(mayCallProvider(verdict)).toBe(false);
    // A human's own value in the field is not a reason: the diff would overwrite it on a read anyway.
    expect(decideRow(facts({ udfs: { 'SuperOffice:84': 'Their text' } })).read).toBe(false);
  });

  it('may call the provider for changed, unknown and never-enriched inputs', () => {
    expect(mayCallProvider(decideRow(facts({ print: 'print-b' })))).toBe(true);
    expect(mayCallProvider(decideRow(facts({ stored: undefined })))).toBe(true);
    expect(mayCallProvider(decideRow(facts()))).toBe(false);
  });
});

describe('normaliseStamp', () => {
  it('reads the webhook [DT:…] moniker and the plain ISO form as the feed writes updatedDate', () => {
    expect(normaliseStamp('[DT:09/16/2025 14:22:14.0000000]')).toBe('2025-09-16T14:22:14');
    expect(normaliseStamp('2025-09-16T14:22:14')).toBe('2025-09-16T14:22:14');
    expect(normaliseStamp('2025-09-16T14:22:14.123Z')).toBe('2025-09-16T14:22:14');
    expect(normaliseStamp(undefined)).toBeUndefined();
    expect(normaliseStamp('[I:5]')).toBeUndefined();
  });
});

describe('tooRecent', () => {
  it('leaves rows updated within the grace period to the next sweep', () => {
    const at = Date.parse('2026-11-30T10:00:10Z');
    expect(tooRecent('2026-11-30T10:00:05', at, 10_000)).toBe(true);
    expect(tooRecent('2026-11-30T10:00:00', at, 10_000)).toBe(false);
    expect(tooRecent('2026-11-30T10:00:05', at, 0)).toBe(false);
    expect(tooRecent(null, at, 10_000)).toBe(false);
  });
});
