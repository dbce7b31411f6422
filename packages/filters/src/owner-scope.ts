/**
 * The optional owner scope (`SCOPE_OWNER_ASSOCIATES`) for a tenant shared by several companies:
 * only accounts owned by these associates are enriched. Entries are associate ids or short names.
 */
export interface OwnerScope {
  readonly ids: ReadonlySet<number>;
  /** Short names (upper-cased); deciding on them needs the record (its Associate), so they defer. */
  readonly names: ReadonlySet<string>;
}

/** Parses `"12, 15, RJ"` into ids and names; an empty list means no scope. */
export function parseOwnerScope(entries: readonly string[]): OwnerScope | undefined {
  const ids = new Set<number>();
  const names = new Set<string>();
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    if (/^\d+$/.test(raw)) ids.add(Number(raw));
    else names.add(raw.toUpperCase());
  }
  return ids.size === 0 && names.size === 0 ? undefined : { ids, names };
}

/** `FieldValues` values are plain JSON or encoded strings such as `"[I:12]"` (superoffice-api.md 2.1). */
export function fieldValueAsInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value !== 'string') return undefined;
  const m = /^(?:\[I:)?(-?\d+)\]?$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

export type ScopeVerdict = 'in' | 'out' | 'unknown';

/** Decides the scope from an owner id when one is known; names can only be checked on the record. */
export function ownerInScope(
  scope: OwnerScope,
  owner: { id?: number | undefined; name?: string | undefined },
): ScopeVerdict {
  if (owner.id !== undefined && scope.ids.has(owner.id)) return 'in';
  if (owner.name !== undefined && scope.names.has(owner.name.toUpperCase())) return 'in';
  if (owner.name !== undefined) return 'out';
  if (owner.id !== undefined && scope.names.size === 0) return 'out';
  return 'unknown';
}
