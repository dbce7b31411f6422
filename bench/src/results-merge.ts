// `run-all --only <names> --merge`: puts freshly measured sections into an existing results file
// instead of rewriting it, so one benchmark can be run again (or added) without running the others.
// A section is `## N. …` up to the next `## ` heading; its summary row is the one whose first
// cell starts with `N.`. Both are replaced when present, otherwise inserted in number order.

export interface FreshSection {
  /** The section's markdown, starting `## N. Title`. */
  readonly section: string;
  /** The summary row, `| N. Title | … |`, if the benchmark wrote one. */
  readonly summaryRow?: string | undefined;
}

const numberOf = (heading: string): number => Number(/^## (\d+)\./.exec(heading)?.[1] ?? NaN);
const rowNumber = (row: string): number => Number(/^\|\s*(\d+)\./.exec(row)?.[1] ?? NaN);

/** Splits markdown into the text before the first `## ` heading and the `## ` blocks. */
function blocks(markdown: string): { head: string; parts: string[] } {
  const lines = markdown.split('\n');
  const parts: string[][] = [];
  const head: string[] = [];
  for (const line of lines) {
    if (line.startsWith('## ')) parts.push([line]);
    else (parts[parts.length - 1] ?? head).push(line);
  }
  return { head: head.join('\n'), parts: parts.map((p) => p.join('\n').trimEnd()) };
}

/** Replaces or inserts (by number) the numbered rows in the Summary table of `summaryBlock`. */
function mergeSummary(summaryBlock: string, rows: readonly string[]): string {
  const lines = summaryBlock.split('\n');
  for (const row of rows) {
    const n = rowNumber(row);
    const existing = lines.findIndex((l) => rowNumber(l) === n);
    if (existing >= 0) {
      lines[existing] = row;
      continue;
    }
    const numbered = lines.map((l, i) => ({ i, n: rowNumber(l) })).filter((r) => !isNaN(r.n));
    const after = numbered.filter((r) => r.n < n).pop() ?? numbered[0];
    if (!after) throw new Error('the results file has no summary table to add a row to');
    lines.splice(after.n < n ? after.i + 1 : after.i, 0, row);
  }
  return lines.join('\n');
}

/**
 * `existing` with each fresh section (and summary row) replaced or inserted in number order; the
 * header and every other section stay as they are. `note` goes under each merged heading.
 */
export function mergeResults(
  existing: string,
  fresh: readonly FreshSection[],
  note: string,
): string {
  const { head, parts } = blocks(existing);
  const summaryIndex = parts.findIndex((p) => p.startsWith('## Summary'));
  if (summaryIndex < 0) throw new Error('the results file has no "## Summary" section');
  const rows = fresh.flatMap((f) => (f.summaryRow ? [f.summaryRow] : []));
  parts[summaryIndex] = mergeSummary(parts[summaryIndex]!, rows);
  for (const { section } of fresh) {
    const [heading, ...rest] = section.trimEnd().split('\n');
    const n = numberOf(heading ?? '');
    if (isNaN(n)) throw new Error(`a section must start "## N. Title": ${heading}`);
    const text = [heading, '', note, ...rest].join('\n');
    const existingAt = parts.findIndex((p) => numberOf(p) === n);
    if (existingAt >= 0) {
      parts[existingAt] = text;
      continue;
    }
    const nextAt = parts.findIndex((p) => numberOf(p) > n);
    parts.splice(nextAt < 0 ? parts.length : nextAt, 0, text);
  }
  return `${head.trimEnd()}\n\n${parts.join('\n\n')}\n`;
}
