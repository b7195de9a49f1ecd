/** Renders rows as an aligned text table with upper-case headings, for terminals. */
export function formatTable(rows: readonly Record<string, unknown>[]): string {
  const first = rows[0];
  if (!first) return '(none)';
  const columns = Object.keys(first);
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const headings = columns.map((column) => column.toUpperCase());
  const widths = headings.map((heading, i) =>
    Math.max(heading.length, ...cells.map((row) => (row[i] as string).length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(headings), ...cells.map(line)].join('\n');
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
