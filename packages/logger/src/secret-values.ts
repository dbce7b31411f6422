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

/** Base of the rolling hash over a value's first MIN_SECRET_LENGTH characters. */
const HASH_BASE = 31;
/** HASH_BASE ** (MIN_SECRET_LENGTH - 1): what the character leaving the window weighed. */
const HASH_TOP = HASH_BASE ** (MIN_SECRET_LENGTH - 1);

/** The hash of `text`'s MIN_SECRET_LENGTH characters from `at` (32-bit, wrapping). */
function windowHash(text: string, at: number): number {
  let hash = 0;
  for (let i = at; i < at + MIN_SECRET_LENGTH; i++)
    hash = (Math.imul(hash, HASH_BASE) + text.charCodeAt(i)) | 0;
  return hash;
}

function prefixIndex(needles: readonly string[]): (text: string) => Span[] {
  // Each value is filed under the hash of its first MIN_SECRET_LENGTH characters; the text's
  // window of as many characters is hashed once and rolled one character at a time, so a
  // position costs a few integer operations and a typed-array read, without a substring made
  // (the earlier index sliced one per character: benchmark 12). A bucket's values are checked
  // with startsWith, so a hash shared by chance finds nothing false. Needles are sorted longest
  // first, so each bucket is too: the first that matches is the longest.
  const buckets = new Map<number, string[]>();
  // Which low 16 bits of a hash some value has: most windows of a text are ruled out by one
  // typed-array read, before the Map is asked (a few thousand values fill a few percent of it).
  const maybe = new Uint8Array(1 << 16);
  for (const needle of needles) {
    const key = windowHash(needle, 0);
    maybe[key & 0xffff] = 1;
    const bucket = buckets.get(key);
    if (bucket) bucket.push(needle);
    else buckets.set(key, [needle]);
  }
  return (text) => {
    const spans: Span[] = [];
    if (text.length < MIN_SECRET_LENGTH) return spans;
    let hash = windowHash(text, 0);
    for (let at = 0; ; at++) {
      const bucket = maybe[hash & 0xffff] === 1 ? buckets.get(hash) : undefined;
      if (bucket !== undefined) {
        const needle = bucket.find((n) => text.startsWith(n, at));
        if (needle !== undefined) spans.push([at, at + needle.length]);
      }
      const next = at + MIN_SECRET_LENGTH;
      if (next >= text.length) return spans;
      hash =
        (Math.imul(hash - Math.imul(text.charCodeAt(at), HASH_TOP), HASH_BASE) +
          text.charCodeAt(next)) |
        0;
    }
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
