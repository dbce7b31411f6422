import { parseDuration, parseSince } from './duration';

const now = Date.parse('2025-05-14T12:00:00.000Z');

describe('parseDuration', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['90s', 90_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    [' 2H ', 7_200_000],
  ])('%s → %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', '2', 'h', '2 h', '-2h', '2x', '1.5h'])('refuses %j', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe('parseSince', () => {
  it('counts a duration back from now', () => {
    expect(parseSince('2h', now)).toEqual({ ok: true, iso: '2025-05-14T10:00:00.000Z' });
    expect(parseSince('30m', now)).toEqual({ ok: true, iso: '2025-05-14T11:30:00.000Z' });
    expect(parseSince('1d', now)).toEqual({ ok: true, iso: '2025-05-13T12:00:00.000Z' });
  });

  it('accepts ISO times, reading a time without a zone as UTC', () => {
    expect(parseSince('2025-05-14T09:15:00Z', now)).toEqual({
      ok: true,
      iso: '2025-05-14T09:15:00.000Z',
    });
    expect(parseSince('2025-05-14T09:15:00+02:00', now)).toEqual({
      ok: true,
      iso: '2025-05-14T07:15:00.000Z',
    });
    expect(parseSince('2025-05-14T09:15', now)).toEqual({
      ok: true,
      iso: '2025-05-14T09:15:00.000Z',
    });
    expect(parseSince('2025-05-13', now)).toEqual({ ok: true, iso: '2025-05-13T00:00:00.000Z' });
  });

  it.each([
    ['yesterday', /expected an ISO time .* or a duration/],
    ['2025-13-40T00:00:00Z', /not a valid time/],
    ['2025-05-15T00:00:00Z', /lies in the future/],
    ['0m', /must not be 0/],
  ])('refuses %s with a message naming the option', (input, message) => {
    const result = parseSince(input, now);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(message);
      expect(result.message).toMatch(/^--since /);
    }
  });
});
