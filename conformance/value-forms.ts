/**
 * The shape of a JSON value, for comparing the simulator's responses with SuperOffice's samples:
 * the same keys (the simulator may leave fields out, never invent them) and the same value forms.
 */
export type ValueForm =
  | 'null'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'datetime-offset'
  | 'datetime-zoneless'
  | 'string'
  | 'array'
  | 'object';

const OFFSET_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6,7}[+-]\d{2}:\d{2}$/;
const ZONELESS_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$/;

export function valueForm(value: unknown): ValueForm {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string') {
    if (OFFSET_DATETIME.test(value)) return 'datetime-offset';
    if (ZONELESS_DATETIME.test(value)) return 'datetime-zoneless';
    return 'string';
  }
  return Array.isArray(value) ? 'array' : 'object';
}

/** Dictionaries whose keys are data (UDF keys, header names), not part of the shape. */
const DICTIONARIES = new Set([
  'UserDefinedFields',
  'ExtraFields',
  'CustomFields',
  'Headers',
  'Properties',
]);

/**
 * Every difference between `actual` (the simulator) and `documented` (SuperOffice's sample):
 * a key the sample does not have, or a value of another form. A null on either side matches any
 * form (the samples send null sub-objects; the simulator may fill them). Arrays compare their
 * first elements; dictionaries compare their values' forms only.
 */
export function shapeDifferences(actual: unknown, documented: unknown, path = '$'): string[] {
  const a = valueForm(actual);
  const d = valueForm(documented);
  if (a === 'null' || d === 'null') return [];
  if (a !== d) return [`${path}: ${a} where SuperOffice documents ${d}`];
  if (a === 'array') {
    const [first] = actual as unknown[];
    const [documentedFirst] = documented as unknown[];
    return first === undefined || documentedFirst === undefined
      ? []
      : shapeDifferences(first, documentedFirst, `${path}[0]`);
  }
  if (a !== 'object') return [];
  const act = actual as Record<string, unknown>;
  const doc = documented as Record<string, unknown>;
  const out: string[] = [];
  for (const [key, value] of Object.entries(act)) {
    const here = `${path}.${key}`;
    if (!(key in doc)) {
      out.push(`${here}: not in SuperOffice's sample`);
      continue;
    }
    if (DICTIONARIES.has(key)) {
      const docValues = Object.values((doc[key] ?? {}) as Record<string, unknown>);
      const actValues = Object.values((value ?? {}) as Record<string, unknown>);
      if (docValues[0] !== undefined && actValues.length > 0)
        for (const v of actValues) out.push(...shapeDifferences(v, docValues[0], `${here}.*`));
      continue;
    }
    out.push(...shapeDifferences(value, doc[key], here));
  }
  return out;
}
