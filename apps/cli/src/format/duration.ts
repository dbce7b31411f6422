const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `90s`, `30m`, `2h`, `1d`, `1w` (also combined: `1h30m`) → milliseconds; undefined if not one. */
export function parseDuration(input: string): number | undefined {
  const text = input.trim().toLowerCase();
  if (!/^(\d+[smhdw])+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g))
    total += Number(amount) * UNITS[unit!]!;
  return total;
}

export type SinceResult = { ok: true; iso: string } | { ok: false; message: string };

/**
 * `--since`: an ISO 8601 time (`2025-05-14T10:00:00Z`; a date alone means its midnight UTC), or a
 * duration back from now (`2h`, `30m`, `1d`). Must lie in the past.
 */
export function parseSince(input: string, now: number): SinceResult {
  const duration = parseDuration(input);
  let ms: number;
  if (duration !== undefined) {
    if (duration === 0)
      return { ok: false, message: `--since ${input}: the duration must not be 0` };
    ms = now - duration;
  } else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(input.trim())) {
    const text = input.trim();
    // A time without a zone would be read in the local zone of whoever runs the CLI: take UTC.
    const zoned = /T|\s/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? `${text}Z` : text;
    ms = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isNaN(ms)) return { ok: false, message: `--since ${input}: not a valid time` };
  } else {
    return {
      ok: false,
      message: `--since ${input}: expected an ISO time (2025-05-14T10:00:00Z) or a duration such as 30m, 2h, 1d`,
    };
  }
  if (ms > now) return { ok: false, message: `--since ${input}: lies in the future` };
  return { ok: true, iso: new Date(ms).toISOString() };
}
