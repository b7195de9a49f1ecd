// Django and DRF run on Python strings: these give JavaScript the same answers.

// Python's str.strip() whitespace (Py_UNICODE_ISSPACE); String#trim differs on \x1c-\x1f, \x85
// (Python strips them) and \ufeff (Python keeps it).
function isPythonWhitespace(code: number): boolean {
  if (code <= 0x20) return (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/**
 * Python's `str.strip()`. A scan from each end rather than a `\s+$` pattern: such a pattern
 * backtracks over every inner run of spaces, and a field of many spaces would cost quadratic time.
 */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPythonWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * Python's `str.lower()`: JavaScript's, except that Python lowers a capital sigma to σ wherever it
 * stands, where JavaScript writes ς at the end of a word.
 */
export function pythonLower(text: string): string {
  return text.replaceAll('\u03a3', '\u03c3').toLowerCase();
}

/** Python's `len`: code points, not UTF-16 units (a lone surrogate counts as one). */
export function pythonLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}
