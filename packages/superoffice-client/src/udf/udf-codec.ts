import {
  formatDate,
  formatDateTime,
  parseDate,
  parseDateTime,
  type DateForm,
  type UdfDate,
} from './udf-dates';

/**
 * SuperOffice user-defined field values (superoffice-api.md 6.4). Every value travels as a string;
 * typed values use CultureDataFormatter monikers such as `[I:123]`, plain text has none, and some
 * tenants send plain forms (`"123"`, `"False"`). Reading is driven by the field's `FieldType` from
 * the published layout where the caller has it (UDefFieldType: Number, ShortText, LongText, Date,
 * UnlimitedDate, Checkbox, List, Decimal), and by the value's shape where it does not.
 *
 * Parsing never throws: a value it does not know (e.g. the nested object a production tenant once
 * returned, superoffice-api.md 9, or a moniker that does not parse) becomes `unknown` with the
 * reason, and writing it back gives it verbatim. Every value remembers the form it was read in
 * (`form`), so `formatUdfValue(parseUdfValue(x, type)) === x` for every documented form.
 */
export type UdfValue =
  | { readonly kind: 'string'; readonly value: string }
  /** `form: 'plain'` for `123` (a Number or List field), else `[I:123]`. */
  | { readonly kind: 'int'; readonly value: number; readonly form?: 'plain' }
  | { readonly kind: 'float'; readonly value: number; readonly form?: 'plain' }
  | { readonly kind: 'money'; readonly value: number }
  /** A Checkbox: `True`/`False` (default), `1`/`0` (`digit`) or `[I:1]`/`[I:0]` (`moniker`). */
  | { readonly kind: 'bool'; readonly value: boolean; readonly form?: 'digit' | 'moniker' }
  /** `[D:MM/dd/yyyy]` (default), `[D:dd.MM.yyyy]` (`dotted`), `[D:yyyy-MM-dd]` or plain ISO (`iso`, `plain`). */
  | {
      readonly kind: 'date';
      readonly value: UdfDate;
      readonly form?: Exclude<DateForm, 'us'>;
      readonly plain?: true;
    }
  /** Local date-time, ISO without zone (`2025-09-16T14:22:14.0000000`); `form: 'iso'` kept as written (`[DT:2019-09-11]`). */
  | { readonly kind: 'datetime'; readonly value: string; readonly form?: 'iso' }
  | { readonly kind: 'time'; readonly value: string }
  | { readonly kind: 'timespan'; readonly value: number }
  | { readonly kind: 'intArray'; readonly value: readonly number[] }
  | { readonly kind: 'binary'; readonly value: string }
  | { readonly kind: 'empty' }
  /** Kept exactly as read; `reason` says why it was not understood. */
  | { readonly kind: 'unknown'; readonly raw: unknown; readonly reason: string };

const MONIKER = /^\[(I|F|M|D|DT|T|TS|A|B):(.*)\]$/s;
const NUMBER = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

function parseMoniker(code: string, body: string): UdfValue | undefined {
  switch (code) {
    case 'I':
      return INTEGER.test(body) ? { kind: 'int', value: Number(body) } : undefined;
    case 'F':
      return NUMBER.test(body) ? { kind: 'float', value: Number(body) } : undefined;
    case 'M':
      return NUMBER.test(body) ? { kind: 'money', value: Number(body) } : undefined;
    case 'D': {
      const date = parseDate(body);
      if (!date) return undefined;
      return date.form === 'us'
        ? { kind: 'date', value: date.date }
        : { kind: 'date', value: date.date, form: date.form };
    }
    case 'DT': {
      const dt = parseDateTime(body);
      if (!dt) return undefined;
      return dt.form === 'iso'
        ? { kind: 'datetime', value: dt.value, form: 'iso' }
        : { kind: 'datetime', value: dt.value };
    }
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

const unknown = (raw: unknown, reason: string): UdfValue => ({ kind: 'unknown', raw, reason });

/** A value read by its field type; undefined when the type says nothing about this shape. */
function byFieldType(raw: string, type: string): UdfValue | undefined {
  switch (type) {
    case 'checkbox': {
      const word = /^(true|false)$/i.exec(raw);
      if (word) return { kind: 'bool', value: word[1]!.toLowerCase() === 'true' };
      if (raw === '1' || raw === '0') return { kind: 'bool', value: raw === '1', form: 'digit' };
      if (raw === '[I:1]' || raw === '[I:0]')
        return { kind: 'bool', value: raw === '[I:1]', form: 'moniker' };
      return unknown(raw, 'not a Checkbox value (True/False, 1/0 or [I:1]/[I:0])');
    }
    case 'number':
    case 'list':
      if (INTEGER.test(raw)) return { kind: 'int', value: Number(raw), form: 'plain' };
      return undefined;
    case 'decimal':
      if (NUMBER.test(raw)) return { kind: 'float', value: Number(raw), form: 'plain' };
      return undefined;
    case 'date':
    case 'unlimiteddate': {
      const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? parseDate(raw) : undefined;
      return date ? { kind: 'date', value: date.date, form: 'iso', plain: true } : undefined;
    }
    case 'shorttext':
    case 'longtext':
      // Text is never encoded: a text field holding "[I:1]" holds those five characters.
      return { kind: 'string', value: raw };
    default:
      return undefined;
  }
}

/**
 * Reads one UDF value as the API returns it. `fieldType` is the layout's `FieldType` for the field
 * (case-insensitive); without it the value's own shape decides (a moniker, else text).
 */
export function parseUdfValue(raw: unknown, fieldType?: string | null): UdfValue {
  if (raw === null || raw === undefined || raw === '') return { kind: 'empty' };
  const type = (fieldType ?? '').toLowerCase();
  if (typeof raw === 'number') {
    if (type === 'checkbox' && (raw === 0 || raw === 1))
      return { kind: 'bool', value: raw === 1, form: 'digit' };
    return Number.isInteger(raw) ? { kind: 'int', value: raw } : { kind: 'float', value: raw };
  }
  if (typeof raw === 'boolean' && type === 'checkbox') return { kind: 'bool', value: raw };
  if (typeof raw !== 'string') return unknown(raw, `a ${typeof raw} where a string was expected`);
  const typed = type ? byFieldType(raw, type) : undefined;
  if (typed) return typed;
  const m = MONIKER.exec(raw);
  if (!m) {
    if (type === 'number' || type === 'list' || type === 'decimal' || type === 'date')
      return unknown(raw, `not a ${fieldType} value`);
    return { kind: 'string', value: raw };
  }
  return parseMoniker(m[1]!, m[2]!) ?? unknown(raw, `[${m[1]!}:…] does not parse`);
}

/**
 * Writes a UDF value in the representation the API reads (the form it was read in). An `unknown`
 * value is written verbatim (a non-string as its JSON, the nearest a string dictionary holds).
 */
export function formatUdfValue(value: UdfValue): string {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'int':
      return value.form === 'plain' ? String(value.value) : `[I:${value.value}]`;
    case 'float':
      return value.form === 'plain' ? String(value.value) : `[F:${value.value}]`;
    case 'money':
      return `[M:${value.value}]`;
    case 'bool':
      return value.form === 'digit'
        ? value.value
          ? '1'
          : '0'
        : value.form === 'moniker'
          ? `[I:${value.value ? 1 : 0}]`
          : value.value
            ? 'True'
            : 'False';
    case 'date': {
      const text = formatDate(value.value, value.form);
      return value.plain ? text : `[D:${text}]`;
    }
    case 'datetime': {
      const text = formatDateTime(value.value, value.form);
      return text === undefined ? value.value : `[DT:${text}]`;
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
      return typeof value.raw === 'string' ? value.raw : JSON.stringify(value.raw);
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

/**
 * Reads a `UserDefinedFields` dictionary into fields, companions attached to their field. With
 * `fieldTypes` (key → the layout's FieldType, `udfFieldTypes(layout)`) each value is read by its type.
 */
export function readUdfs(
  dictionary: Readonly<Record<string, unknown>> | null | undefined,
  fieldTypes: Readonly<Record<string, string | null | undefined>> = {},
): Map<string, UdfField> {
  const fields = new Map<string, UdfField>();
  if (!dictionary) return fields;
  for (const [key, raw] of Object.entries(dictionary)) {
    if (isCompanionKey(key)) continue;
    const display = dictionary[displayTextKey(key)];
    fields.set(key, {
      key,
      raw,
      value: parseUdfValue(raw, fieldTypes[key]),
      displayText: typeof display === 'string' && display !== '' ? display : undefined,
    });
  }
  return fields;
}
