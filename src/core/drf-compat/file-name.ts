// The few HTML5 named references that can change what a file name sanitises to (a dot, a slash)
// or that clients commonly escape. Python's html.unescape knows all 2231; others stay as written.
const NAMED_REFERENCES: ReadonlyMap<string, string> = new Map([
  ['amp;', '&'],
  ['amp', '&'],
  ['lt;', '<'],
  ['lt', '<'],
  ['gt;', '>'],
  ['gt', '>'],
  ['quot;', '"'],
  ['quot', '"'],
  ['apos;', "'"],
  ['nbsp;', '\xa0'],
  ['nbsp', '\xa0'],
  ['period;', '.'],
  ['sol;', '/'],
  ['bsol;', '\\'],
]);

// html._invalid_charrefs for 0x80-0x9F: what Windows-1252 puts there (the five bytes it leaves
// undefined stay as they are). Node's TextDecoder cannot be trusted with this label.
const WINDOWS_1252_HIGH =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f' +
  '\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

// html._invalid_codepoints, apart from 0x80-0x9F, which html._invalid_charrefs maps first.
function isInvalidCodePoint(code: number): boolean {
  return (
    (code >= 0x1 && code <= 0x8) ||
    code === 0xb ||
    (code >= 0xe && code <= 0x1f) ||
    code === 0x7f ||
    (code >= 0xfdd0 && code <= 0xfdef) ||
    (code & 0xfffe) === 0xfffe
  );
}

// Python's html._replace_charref.
function replaceReference(reference: string): string {
  if (reference.startsWith('#')) {
    const hex = reference[1] === 'x' || reference[1] === 'X';
    const digits = reference.slice(hex ? 2 : 1).replace(/;$/, '');
    const code = Number.parseInt(digits, hex ? 16 : 10);
    if (code === 0) return '\ufffd';
    if (code === 0x0d) return '\r';
    if (code >= 0x80 && code <= 0x9f) return WINDOWS_1252_HIGH[code - 0x80] as string;
    if ((code >= 0xd800 && code <= 0xdfff) || !(code <= 0x10ffff)) return '\ufffd';
    return isInvalidCodePoint(code) ? '' : String.fromCodePoint(code);
  }
  const exact = NAMED_REFERENCES.get(reference);
  if (exact !== undefined) return exact;
  for (let length = reference.length - 1; length > 1; length--) {
    const prefix = NAMED_REFERENCES.get(reference.slice(0, length));
    if (prefix !== undefined) return prefix + reference.slice(length);
  }
  return `&${reference}`;
}

/**
 * Django's `MultiPartParser.sanitize_file_name`: HTML references unescaped, any directory part
 * dropped; undefined for a name that is then empty, `.` or `..` (Django ignores that part).
 */
export function sanitizeFileName(fileName: string): string | undefined {
  const unescaped = fileName.includes('&')
    ? fileName.replace(
        /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g,
        (_match, reference: string) => replaceReference(reference),
      )
    : fileName;
  const base = unescaped.slice(unescaped.lastIndexOf('/') + 1);
  const name = base.slice(base.lastIndexOf('\\') + 1);
  return name === '' || name === '.' || name === '..' ? undefined : name;
}
