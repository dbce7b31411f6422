import { normaliseName } from './providers/builtin';
import type { EnrichmentResult } from './result-schema';

/** One target UDF as the published layout describes it. */
export interface TargetUdf {
  /** ProgId or `SuperOffice:{UdefIdentity}` (a `SO_UDF_*` value). */
  readonly key: string;
  /** Maximum text length; 0 or undefined = unlimited. */
  readonly textLength?: number | undefined;
  /** For a list UDF: its items (from the MDO list named in the layout). */
  readonly listItems?: readonly { readonly id: number; readonly name: string }[] | undefined;
}

export interface CompanyTargets {
  readonly vertical?: TargetUdf | undefined;
  readonly summary?: TargetUdf | undefined;
  readonly opener?: TargetUdf | undefined;
}

export interface Mapping {
  /** UDF key → value in the API's representation (`[I:id]` for list items, plain text otherwise). */
  readonly values: Readonly<Record<string, string>>;
  /** Why a field is left alone (recorded on the sync run). */
  readonly notes: readonly string[];
}

function cut(text: string, target: TargetUdf): string {
  const max = target.textLength ?? 0;
  // Code points, not UTF-16 units: a cut never splits a surrogate pair (emoji, rare scripts).
  const chars = Array.from(text);
  if (max <= 0 || chars.length <= max) return text;
  return max > 1
    ? `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`
    : chars.slice(0, max).join('');
}

/** The list item whose name matches (case- and whitespace-insensitive), if any. */
export function findListItem(
  items: readonly { id: number; name: string }[],
  name: string,
): { id: number; name: string } | undefined {
  const wanted = normaliseName(name);
  return items.find((item) => normaliseName(item.name) === wanted);
}

/**
 * A company result → UDF values. The vertical goes into a list UDF as the id of the item whose name
 * matches; no match leaves that field alone and says why. Text is cut to the UDF's TextLength.
 */
export function mapCompanyResult(result: EnrichmentResult, targets: CompanyTargets): Mapping {
  const values: Record<string, string> = {};
  const notes: string[] = [];
  if (targets.vertical) {
    if (targets.vertical.listItems) {
      const item = findListItem(targets.vertical.listItems, result.vertical);
      if (item) values[targets.vertical.key] = `[I:${item.id}]`;
      else
        notes.push(
          `vertical "${result.vertical}" is not an item of ${targets.vertical.key}'s list; field left unchanged`,
        );
    } else {
      values[targets.vertical.key] = cut(result.vertical, targets.vertical);
    }
  }
  if (targets.summary) values[targets.summary.key] = cut(result.summary, targets.summary);
  if (targets.opener) values[targets.opener.key] = cut(result.openers.join('\n'), targets.opener);
  return { values, notes };
}

/** A person opener → the person opener UDF. */
export function mapPersonOpener(opener: string, target: TargetUdf | undefined): Mapping {
  return target
    ? { values: { [target.key]: cut(opener, target) }, notes: [] }
    : { values: {}, notes: ['no person opener UDF configured'] };
}
