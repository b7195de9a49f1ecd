// Django's validators run on Python strings: these helpers give JavaScript the same answers.

// Python's str.strip() whitespace (Py_UNICODE_ISSPACE); String#trim differs on \x1c-\x1f, \x85
// (Python strips them) and \ufeff (Python keeps it).
const WHITESPACE =
  '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+';
const PYTHON_EDGE_WHITESPACE = new RegExp(`^${WHITESPACE}|${WHITESPACE}$`, 'g');

/** Python's `str.strip()`. */
export function pythonStrip(text: string): string {
  return text.replace(PYTHON_EDGE_WHITESPACE, '');
}

/**
 * Python's `str.lower()`: JavaScript's, except that Python lowers a capital sigma to σ wherever it
 * stands, where JavaScript writes ς at the end of a word.
 */
export function pythonLower(text: string): string {
  return text.replaceAll('\u03a3', '\u03c3').toLowerCase();
}

/** Python's `len`: code points, not UTF-16 units. */
export function pythonLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}
