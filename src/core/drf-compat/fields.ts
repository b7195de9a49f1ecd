import { pythonStrip } from './python-strings.js';

/** DRF's serializer field messages. */
export const FIELD_MESSAGES = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  invalidString: 'Not a valid string.',
  nullCharacters: 'Null characters are not allowed.',
} as const;

/**
 * A field's value, or the DRF messages that refuse it: `errors` lists them all (DRF runs every
 * validator of a field), `error` is the first.
 */
export type FieldResult =
  | { readonly value: string }
  | { readonly error: string; readonly errors: readonly string[] };

function refused(...errors: string[]): FieldResult {
  return { error: errors[0] as string, errors };
}

/**
 * DRF's `CharField` validation of one field of a parsed body: required, not null, not blank
 * (after trimming when `trimWhitespace`), a string (numbers are converted, booleans refused),
 * then its validators: at most `maxLength` characters when given, no NUL character (PostgreSQL
 * cannot store one) and no lone surrogate.
 */
export function readCharField(
  data: Readonly<Record<string, unknown>>,
  name: string,
  trimWhitespace: boolean,
  maxLength?: number,
): FieldResult {
  if (!Object.hasOwn(data, name)) return refused(FIELD_MESSAGES.required);
  const raw = data[name];
  if (raw === null || raw === undefined) return refused(FIELD_MESSAGES.null);
  // DRF checks for blank before the type, and only strings can be blank.
  if (typeof raw === 'string' && (raw === '' || (trimWhitespace && isPythonBlank(raw)))) {
    return refused(FIELD_MESSAGES.blank);
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    return refused(FIELD_MESSAGES.invalidString);
  }
  const text = String(raw);
  const value = trimWhitespace ? pythonStrip(text) : text;
  // DRF's validators in DRF's order, every message kept: max_length, then the characters.
  const errors = prohibitedCharacterErrors(value);
  if (maxLength !== undefined && value.length > maxLength) {
    errors.unshift(`Ensure this field has no more than ${maxLength} characters.`);
  }
  return errors.length === 0 ? { value } : refused(...errors);
}

// DRF's CharField validators: ProhibitNullCharactersValidator, then
// ProhibitSurrogateCharactersValidator, which names the first lone surrogate it meets.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The messages DRF's `CharField` validators give a string: `Null characters are not allowed.` and
 * `Surrogate characters are not allowed: U+D800.`; empty when it has neither.
 */
export function prohibitedCharacterErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.includes('\0')) errors.push(FIELD_MESSAGES.nullCharacters);
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) {
    const codePoint = (surrogate[0].charCodeAt(0) as number).toString(16).toUpperCase();
    errors.push(`Surrogate characters are not allowed: U+${codePoint}.`);
  }
  return errors;
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
