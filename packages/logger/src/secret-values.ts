/** Shorter values would redact ordinary words; real secrets are long. */
export const MIN_SECRET_LENGTH = 6;
/** Up to this many values, each is searched for with `indexOf`; above, by a prefix index. */
const SEARCH_EACH_UP_TO = 16;

/**
 * How long a value stays redacted after its tenant changed it or was removed. A removed tenant's
 * job still running, or a runtime shutting down, may log its old token; after a rotation or a
 * re-consent the old value may still be valid for a while (SuperOffice's overlap of two webhook
 * secrets, a refresh token not yet revoked).
 */
export const RETIRED_SECRET_GRACE_MS = 15 * 60_000;

/** Returns `text` with every occurrence of each value replaced by `mark`. */
export type SecretReplacer = (text: string, mark: string) => string;

/**
 * The secret values a logger removes from every string: the process's own (from its environment,
 * fixed) and those of its tenants, each set kept under an owner (a tenant's ContextIdentifier) and
 * replaced or dropped as the tenant changes or goes, so the set holds the current tenants' values
 * and, for RETIRED_SECRET_GRACE_MS, the values they had before: no more.
 */
export class SecretValues {
  private readonly owned = new Map<string, readonly string[]>();
  /** Values replaced or dropped, redacted until `until`. */
  private retired: { readonly values: readonly string[]; readonly until: number }[] = [];
  private replacer: SecretReplacer | undefined;

  constructor(private readonly fixed: readonly string[] = []) {}

  /** The values of `owner` from now on (replacing its earlier ones, kept for the grace period). */
  replace(owner: string, values: readonly string[], now = Date.now()): void {
    const kept = values.filter((v) => v.length >= MIN_SECRET_LENGTH);
    this.retire(
      (this.owned.get(owner) ?? []).filter((v) => !kept.includes(v)),
      now,
    );
    if (kept.length === 0) this.owned.delete(owner);
    else this.owned.set(owner, [...kept]);
    this.replacer = undefined;
  }

  /** Forgets `owner`'s values (a removed tenant) once the grace period has passed. */
  delete(owner: string, now = Date.now()): void {
    const values = this.owned.get(owner);
    if (!values) return;
    this.owned.delete(owner);
    this.retire(values, now);
  }

  /** The owners that have values, for tests and diagnostics (never the values). */
  owners(): string[] {
    return [...this.owned.keys()];
  }

  /** The replacer of the current values; built again only after a change or an expiry. */
  current(now = Date.now()): SecretReplacer {
    if (this.retired.some((r) => r.until <= now)) {
      this.retired = this.retired.filter((r) => r.until > now);
      this.replacer = undefined;
    }
    this.replacer ??= secretReplacer(
      [this.fixed, ...this.owned.values(), ...this.retired.map((r) => r.values)].flat(),
    );
    return this.replacer;
  }

  private retire(values: readonly string[], now: number): void {
    if (values.length === 0) return;
    this.retired.push({ values, until: now + RETIRED_SECRET_GRACE_MS });
    this.replacer = undefined;
  }
}

/**
 * A replacer for these values. Every occurrence of every value is found first and overlapping
 * finds are merged, so one value inside or across another is never left half shown. With many
 * values (a deployment of many tenants holds a few per tenant) a search per value would cost
 * values × text length per string logged; the prefix index costs one map lookup per character.
 */
export function secretReplacer(values: readonly string[]): SecretReplacer {
  const needles = [...new Set(values.filter((v) => v.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  if (needles.length === 0) return (text) => text;
  const find = needles.length <= SEARCH_EACH_UP_TO ? searchEach(needles) : prefixIndex(needles);
  return (text, mark) => {
    const spans = find(text);
    return spans.length === 0 ? text : replaceSpans(text, spans, mark);
  };
}

type Span = readonly [start: number, end: number];

function searchEach(needles: readonly string[]): (text: string) => Span[] {
  return (text) => {
    const spans: Span[] = [];
    for (const needle of needles) {
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1))
        spans.push([at, at + needle.length]);
    }
    return spans;
  };
}

function prefixIndex(needles: readonly string[]): (text: string) => Span[] {
  // Needles are sorted longest first, so each bucket is too: the first that matches is the longest.
  const buckets = new Map<string, string[]>();
  for (const needle of needles) {
    const key = needle.slice(0, MIN_SECRET_LENGTH);
    const bucket = buckets.get(key);
    if (bucket) bucket.push(needle);
    else buckets.set(key, [needle]);
  }
  return (text) => {
    const spans: Span[] = [];
    for (let at = 0; at + MIN_SECRET_LENGTH <= text.length; at++) {
      const bucket = buckets.get(text.slice(at, at + MIN_SECRET_LENGTH));
      const needle = bucket?.find((n) => text.startsWith(n, at));
      if (needle !== undefined) spans.push([at, at + needle.length]);
    }
    return spans;
  };
}

function replaceSpans(text: string, spans: Span[], mark: string): string {
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  let i = 0;
  while (i < spans.length) {
    const start = spans[i]![0];
    let end = spans[i]![1];
    // Merge every find that starts inside this one.
    for (i++; i < spans.length && spans[i]![0] < end; i++) end = Math.max(end, spans[i]![1]);
    out += text.slice(from, start) + mark;
    from = end;
  }
  return out + text.slice(from);
}
