import { firstControlCharacter } from '../control-characters.js';
import { FIELD_MESSAGES, prohibitedCharacterErrors } from '../drf-compat/fields.js';
import { RESERVED_TOKEN_NAMES } from './token.js';

/** The longest name a token may have (Django's `CharField(max_length=150)` message). */
export const TOKEN_NAME_MAX_LENGTH = 150;

/**
 * Why `name` cannot name a token, in DRF's words where DRF has them: blank, too long, NUL or
 * lone surrogates (DRF's `CharField` validators), control characters (a name is printed on
 * terminals), or reserved. Empty when the name is fine.
 */
export function tokenNameErrors(name: string): string[] {
  if (name.trim() === '') return [FIELD_MESSAGES.blank];
  const errors: string[] = [];
  if (name.length > TOKEN_NAME_MAX_LENGTH) {
    errors.push(`Ensure this field has no more than ${TOKEN_NAME_MAX_LENGTH} characters.`);
  }
  errors.push(...prohibitedCharacterErrors(name));
  // NUL has its own message above; any other control character gets this one.
  const control = firstControlCharacter(name.replaceAll('\0', ''));
  if (control !== null) errors.push(`Control characters are not allowed: ${control}.`);
  if (errors.length === 0 && RESERVED_TOKEN_NAMES.includes(name)) {
    errors.push(`"${name}" is a reserved name.`);
  }
  return errors;
}
