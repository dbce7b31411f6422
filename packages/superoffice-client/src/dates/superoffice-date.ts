/**
 * SuperOffice's date-time strings, read in one place. The REST samples carry an offset and seven
 * fraction digits (`2003-02-02T14:34:01.7525885+01:00`, v1ContactEntity_GetContactEntity); tenants
 * and the webhook payloads also write them without a zone (`2025-02-26T14:28:26`), and `Z` is
 * ISO's own. A zone-less value is read as UTC (inferred, INFERRED.zonelessDatesAreUtc: no zone is
 * documented for them; `so-connector verify --inferred` checks it on a real tenant).
 */
const FORM =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export interface SuperOfficeInstant {
  /** Milliseconds since the epoch (the fraction beyond milliseconds is dropped). */
  readonly epochMs: number;
  /** False for a zone-less value, which was read as UTC. */
  readonly hasZone: boolean;
}

/** Parses a SuperOffice date or date-time; undefined for anything that is not one (never throws). */
export function parseSuperOfficeDate(
  text: string | null | undefined,
): SuperOfficeInstant | undefined {
  if (typeof text !== 'string') return undefined;
  const m = FORM.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const local = Date.UTC(...fields, Number(frac.padEnd(3, '0').slice(0, 3)));
  const check = new Date(local);
  // Reject dates that Date.UTC would roll over (2025-02-30, 24:61).
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] ||
    check.getUTCDate() !== fields[2] ||
    check.getUTCHours() !== fields[3] ||
    check.getUTCMinutes() !== fields[4] ||
    check.getUTCSeconds() !== fields[5]
  )
    return undefined;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    offsetMinutes = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  return { epochMs: local - offsetMinutes * 60_000, hasZone: zone !== undefined };
}

/**
 * The HTTP date (`If-Unmodified-Since`) for a SuperOffice date-time, or undefined when the value is
 * not one. HTTP dates have whole seconds; the fraction is dropped, as in SuperOffice's own
 * `Last-Modified` header for the same record (v1ContactEntity_GetContactEntity sample).
 */
export function toHttpDate(text: string | null | undefined): string | undefined {
  const instant = parseSuperOfficeDate(text);
  return instant ? new Date(instant.epochMs).toUTCString() : undefined;
}
