// gunicorn (http/wsgi.py) stores these in CONTENT_TYPE / CONTENT_LENGTH, overwritten line by line.
function lastLineWins(name: string): boolean {
  return name === 'content-type' || name === 'content-length';
}

// Field names are ASCII tokens: fold A-Z without allocating a lowercase copy of each name.
function isNamed(lineName: string, lowercaseName: string): boolean {
  const length = lowercaseName.length;
  if (lineName.length !== length) return false;
  for (let i = 0; i < length; i++) {
    let code = lineName.charCodeAt(i);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== lowercaseName.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * One header's value from a request's header lines (Node's `rawHeaders`: name, value, name, …) as
 * DRF behind gunicorn reads it: a repeated header's lines joined with `,` (no space), except
 * `Content-Type` and `Content-Length`, whose last line wins; undefined when no line has the name.
 *
 * Node's own `headers` keeps only the first `Authorization` line, so `Token <key>` followed by
 * `garbage` would authenticate where DRF answers `Invalid token.` for `Token <key>,garbage`.
 * A single line is returned as it is, without a copy.
 * @example
 * headerFromLines(['Authorization', 'Token abc', 'authorization', 'x'], 'authorization'); // 'Token abc,x'
 */
export function headerFromLines(
  lines: readonly string[],
  lowercaseName: string,
): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < lines.length - 1; i += 2) {
    if (!isNamed(lines[i] as string, lowercaseName)) continue;
    const line = lines[i + 1] as string;
    value = value === undefined || lastLineWins(lowercaseName) ? line : `${value},${line}`;
  }
  return value;
}
