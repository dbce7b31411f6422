export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | number | undefined | null;
  /** Longer cells are cut with "…" (default 60). */
  readonly maxWidth?: number;
}

/** Newlines and tabs would break the columns; they become spaces. */
function cell(value: string | number | undefined | null, maxWidth: number): string {
  const text = value === undefined || value === null ? '' : String(value);
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length > maxWidth ? `${chars.slice(0, maxWidth - 1).join('')}…` : flat;
}

/** A plain-text table: a header row, then one line per row, columns padded to the widest cell. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row), c.maxWidth ?? 60)));
  const widths = columns.map((c, i) =>
    Math.max([...c.header].length, ...cells.map((r) => [...r[i]!].length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** Cuts a long text for a one-line display. */
export function truncate(text: string, maxWidth: number): string {
  return cell(text, maxWidth);
}
