/**
 * The date forms inside UDF monikers. Documented: `[D:11/30/2011]` (MM/dd/yyyy), `[D:09.11.2017]`
 * (dd.MM.yyyy, one docs page), `[DT:09/16/2025 14:22:14.0000000]` (webhook FieldValues) and
 * `[DT:2019-09-11]` (the entity reference: "The value string is the encoded value: "[I:123]" or
 * "[DT:2019-09-11]""). Each value remembers its form, so writing it back gives the same text.
 */
export type DateForm = 'us' | 'dotted' | 'iso';

export interface UdfDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

const validDay = (year: number, month: number, day: number) => {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
};

/** A date in any documented form, with the form it was written in. */
export function parseDate(text: string): { date: UdfDate; form: DateForm } | undefined {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const parts: [number, number, number, DateForm] | undefined = us
    ? [Number(us[3]), Number(us[1]), Number(us[2]), 'us']
    : dotted
      ? [Number(dotted[3]), Number(dotted[2]), Number(dotted[1]), 'dotted']
      : iso
        ? [Number(iso[1]), Number(iso[2]), Number(iso[3]), 'iso']
        : undefined;
  if (!parts) return undefined;
  const [year, month, day, form] = parts;
  if (!validDay(year, month, day)) return undefined;
  return { date: { year, month, day }, form };
}

export function formatDate(date: UdfDate, form: DateForm = 'us'): string {
  const y = pad(date.year, 4);
  if (form === 'iso') return `${y}-${pad(date.month)}-${pad(date.day)}`;
  if (form === 'dotted') return `${pad(date.day)}.${pad(date.month)}.${y}`;
  return `${pad(date.month)}/${pad(date.day)}/${y}`;
}

/**
 * A date-time as an ISO local string (`2025-09-16T14:22:14.0000000`), from the US form
 * (`09/16/2025 14:22:14.0000000`, seconds and fraction optional) or an ISO form (`2019-09-11`,
 * `2019-09-11T08:30:00`), which is kept as written.
 */
export function parseDateTime(text: string): { value: string; form: 'us' | 'iso' } | undefined {
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(
    text,
  );
  if (us) {
    const [, mo, d, y, h, mi, s = '0', frac = '0'] = us;
    if (!validDay(Number(y), Number(mo), Number(d)) || Number(h) > 23) return undefined;
    return {
      value: `${y}-${pad(Number(mo))}-${pad(Number(d))}T${pad(Number(h))}:${mi}:${pad(Number(s))}.${frac.padEnd(7, '0')}`,
      form: 'us',
    };
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?)?$/.exec(
    text,
  );
  if (iso && validDay(Number(iso[1]), Number(iso[2]), Number(iso[3])) && Number(iso[4] ?? 0) < 24)
    return { value: text, form: 'iso' };
  return undefined;
}

export function formatDateTime(value: string, form: 'us' | 'iso' = 'us'): string | undefined {
  if (form === 'iso') return value;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?/.exec(
    value,
  );
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '0'] = m;
  return `${mo}/${d}/${y} ${h}:${mi}:${s}.${frac.padEnd(7, '0')}`;
}
