export interface FieldChange {
  readonly key: string;
  /** What the record holds now ('' when empty or absent). */
  readonly old: string;
  readonly new: string;
}

/** Line endings and surrounding blanks are not differences SuperOffice keeps apart reliably. */
function comparable(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

function asText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The UDFs whose desired value differs from what the freshly read record holds. Nothing differs →
 * an empty list, and the caller writes nothing at all (this also breaks echo loops by itself).
 */
export function diffUdfs(
  desired: Readonly<Record<string, string>>,
  current: Readonly<Record<string, unknown>> | null | undefined,
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [key, value] of Object.entries(desired)) {
    const old = asText(current?.[key]);
    if (comparable(old) !== comparable(value)) changes.push({ key, old, new: value });
  }
  return changes;
}
