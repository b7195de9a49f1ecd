import { escapeControlCharacters } from '../core/control-characters.js';

/**
 * Renders rows as an aligned text table with upper-case headings, for terminals. Every cell is
 * passed through `escapeControlCharacters`: its text may come from the database (written by the
 * API, raw SQL or a Django app) and must not move the cursor or rewrite the screen.
 */
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
  if (Array.isArray(value)) return escapeControlCharacters(value.join(','));
  return escapeControlCharacters(String(value));
}

/**
 * JSON for a terminal: `JSON.stringify` escapes C0 controls but not DEL, C1 or bidirectional
 * controls, which `escapeControlCharacters` writes as `\u…` escapes (still the same JSON). The
 * only raw newlines left are the indentation's, between lines.
 */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2).split('\n').map(escapeControlCharacters).join('\n');
}
