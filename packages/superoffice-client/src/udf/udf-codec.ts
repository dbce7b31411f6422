/**
 * SuperOffice user-defined field values (superoffice-api.md 6.4). Every value travels as a string;
 * typed values use CultureDataFormatter monikers such as `[I:123]`, plain text has none. Parsing
 * never throws: a value of a shape not seen before (e.g. the nested object a production tenant
 * once returned, superoffice-api.md 9) becomes `unknown` and is kept as it was.
 */
export type UdfValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'money'; readonly value: number }
  | {
      readonly kind: 'date';
      readonly value: { readonly year: number; readonly month: number; readonly day: number };
    }
  /** Local date-time as SuperOffice writes it, ISO form without zone: `2025-09-16T14:22:14.0000000`. */
  | { readonly kind: 'datetime'; readonly value: string }
  | { readonly kind: 'time'; readonly value: string }
  | { readonly kind: 'timespan'; readonly value: number }
  | { readonly kind: 'intArray'; readonly value: readonly number[] }
  | { readonly kind: 'binary'; readonly value: string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'unknown'; readonly raw: unknown };

const MONIKER = /^\[(I|F|M|D|DT|T|TS|A|B):(.*)\]$/s;
const NUMBER = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function parseDate(text: string): UdfValue | undefined {
  // Documented as MM/dd/yyyy; one docs page also shows dd.MM.yyyy.
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  const [month, day, year] = us
    ? [Number(us[1]), Number(us[2]), Number(us[3])]
    : dotted
      ? [Number(dotted[2]), Number(dotted[1]), Number(dotted[3])]
      : [NaN, NaN, NaN];
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return undefined;
  return { kind: 'date', value: { year, month, day } };
}

function parseDateTime(text: string): UdfValue | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(
    text,
  );
  if (!m) return undefined;
  const [, mo, d, y, h, mi, s = '0', frac = '0'] = m;
  return {
    kind: 'datetime',
    value: `${y}-${pad(Number(mo))}-${pad(Number(d))}T${pad(Number(h))}:${mi}:${pad(Number(s))}.${frac.padEnd(7, '0')}`,
  };
}

function parseMoniker(code: string, body: string): UdfValue | undefined {
  switch (code) {
    case 'I':
      return INTEGER.test(body) ? { kind: 'int', value: Number(body) } : undefined;
    case 'F':
      return NUMBER.test(body) ? { kind: 'float', value: Number(body) } : undefined;
    case 'M':
      return NUMBER.test(body) ? { kind: 'money', value: Number(body) } : undefined;
    case 'D':
      return parseDate(body);
    case 'DT':
      return parseDateTime(body);
    case 'T':
      return /^\d{1,2}:\d{2}(:\d{2})?$/.test(body) ? { kind: 'time', value: body } : undefined;
    case 'TS':
      return INTEGER.test(body) ? { kind: 'timespan', value: Number(body) } : undefined;
    case 'A':
      return body === '' || /^-?\d+(,-?\d+)*$/.test(body)
        ? { kind: 'intArray', value: body === '' ? [] : body.split(',').map(Number) }
        : undefined;
    case 'B':
      return { kind: 'binary', value: body };
    default:
      return undefined;
  }
}

/** Reads one UDF value as the API returns it. */
export function parseUdfValue(raw: unknown): UdfValue {
  if (raw === null || raw === undefined || raw === '') return { kind: 'empty' };
  if (typeof raw === 'number')
    return Number.isInteger(raw) ? { kind: 'int', value: raw } : { kind: 'float', value: raw };
  if (typeof raw !== 'string') return { kind: 'unknown', raw };
  const m = MONIKER.exec(raw);
  if (!m) return { kind: 'string', value: raw };
  return parseMoniker(m[1]!, m[2]!) ?? { kind: 'unknown', raw };
}

/** Writes a UDF value in the representation the API reads (the same one it returns). */
export function formatUdfValue(value: UdfValue): string {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'int':
      return `[I:${value.value}]`;
    case 'float':
      return `[F:${value.value}]`;
    case 'money':
      return `[M:${value.value}]`;
    case 'date':
      return `[D:${pad(value.value.month)}/${pad(value.value.day)}/${pad(value.value.year, 4)}]`;
    case 'datetime': {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?/.exec(
        value.value,
      );
      if (!m) throw new Error(`[superoffice-client] not a date-time: ${value.value}`);
      const [, y, mo, d, h, mi, s, frac = '0'] = m;
      return `[DT:${mo}/${d}/${y} ${h}:${mi}:${s}.${frac.padEnd(7, '0')}]`;
    }
    case 'time':
      return `[T:${value.value}]`;
    case 'timespan':
      return `[TS:${value.value}]`;
    case 'intArray':
      return `[A:${value.value.join(',')}]`;
    case 'binary':
      return `[B:${value.value}]`;
    case 'empty':
      return '';
    case 'unknown':
      throw new Error('[superoffice-client] an unknown UDF value cannot be written back');
  }
}

/** The companion key SuperOffice adds for a list UDF's item name: `{key}:DisplayText`. */
export function displayTextKey(key: string): string {
  return `${key}:DisplayText`;
}

/** True for the companion keys (`:DisplayText`, `:DisplayTooltip`, `:org`) that are not fields themselves. */
export function isCompanionKey(key: string): boolean {
  return /:(DisplayText|DisplayTooltip|org)$/.test(key);
}

export interface UdfField {
  readonly key: string;
  /** Exactly what the API returned. */
  readonly raw: unknown;
  readonly value: UdfValue;
  /** The list item's name for a list UDF (`{key}:DisplayText`). */
  readonly displayText: string | undefined;
}

/** Reads a `UserDefinedFields` dictionary into fields, companions attached to their field. */
export function readUdfs(
  dictionary: Readonly<Record<string, unknown>> | null | undefined,
): Map<string, UdfField> {
  const fields = new Map<string, UdfField>();
  if (!dictionary) return fields;
  for (const [key, raw] of Object.entries(dictionary)) {
    if (isCompanionKey(key)) continue;
    const display = dictionary[displayTextKey(key)];
    fields.set(key, {
      key,
      raw,
      value: parseUdfValue(raw),
      displayText: typeof display === 'string' && display !== '' ? display : undefined,
    });
  }
  return fields;
}
