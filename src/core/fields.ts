/** DRF's serializer field messages. */
export const FIELD_MESSAGES = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  invalidString: 'Not a valid string.',
} as const;

/** A field's value, or the DRF message that refuses it. */
export type FieldResult = { readonly value: string } | { readonly error: string };

/**
 * DRF's `CharField` validation of one field of a parsed body: required, not null, not blank
 * (after trimming when `trimWhitespace`), and a string (numbers are converted, booleans refused).
 */
export function readCharField(
  data: Readonly<Record<string, unknown>>,
  name: string,
  trimWhitespace: boolean,
): FieldResult {
  if (!Object.hasOwn(data, name)) return { error: FIELD_MESSAGES.required };
  const raw = data[name];
  if (raw === null || raw === undefined) return { error: FIELD_MESSAGES.null };
  // DRF checks for blank before the type, and only strings can be blank.
  if (typeof raw === 'string' && (raw === '' || (trimWhitespace && isPythonBlank(raw)))) {
    return { error: FIELD_MESSAGES.blank };
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return { error: FIELD_MESSAGES.invalidString };
  }
  const value = String(raw);
  return { value: trimWhitespace ? pythonStrip(value) : value };
}

// Python's str.strip() removes Unicode whitespace; JavaScript's trim() has a slightly different
// set (it keeps U+001C-U+001F and U+0085, which Python strips), so list Python's explicitly.
const PYTHON_WHITESPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${PYTHON_WHITESPACE}]+`);
const TRAILING = new RegExp(`[${PYTHON_WHITESPACE}]+$`);

/** Python's `str.strip()`. */
export function pythonStrip(value: string): string {
  return value.replace(LEADING, '').replace(TRAILING, '');
}

function isPythonBlank(value: string): boolean {
  return pythonStrip(value) === '';
}

/** Python's name for a parsed JSON value's type, as DRF's "Expected a dictionary" message shows it. */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'NoneType';
}
