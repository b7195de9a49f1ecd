import { pythonLength } from '../drf-compat/python-strings.js';
import { isCommonPassword } from './common-passwords.js';
import { type PasswordOwner, similarAttribute } from './user-attribute-similarity.js';

export type { PasswordOwner } from './user-attribute-similarity.js';

/** Django's `MinimumLengthValidator` default. */
export const MIN_PASSWORD_LENGTH = 8;

// Python's str.isdigit: Unicode decimal digits (\p{Nd}) plus the Numeric_Type=Digit characters
// (superscripts, circled and parenthesised digits, …), listed from Python 3.11's unicodedata.
const PYTHON_DIGIT =
  /^[\p{Nd}\u00B2\u00B3\u00B9\u1369-\u1371\u19DA\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247C\u2488-\u2490\u24EA\u24F5-\u24FD\u24FF\u2776-\u277E\u2780-\u2788\u278A-\u2792\u{10A40}-\u{10A43}\u{10E60}-\u{10E68}\u{11052}-\u{1105A}\u{1F100}-\u{1F10A}]+$/u;

/**
 * The messages of Django's four default password validators, in the order of Django's project
 * template (user attribute similarity, minimum length 8, common passwords, numeric), with
 * Django's texts: an empty list means the password passes. Without an owner the similarity check
 * is skipped, as Django does without a user.
 * @example
 * validatePassword('123', { username: 'admin' });
 * // ['This password is too short. It must contain at least 8 characters.',
 * //  'This password is too common.', 'This password is entirely numeric.']
 */
export function validatePassword(password: string, owner?: PasswordOwner): string[] {
  const errors: string[] = [];
  const similar = owner ? similarAttribute(password, owner) : null;
  if (similar !== null) errors.push(`The password is too similar to the ${similar}.`);
  if (pythonLength(password) < MIN_PASSWORD_LENGTH) {
    errors.push(
      `This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`,
    );
  }
  if (isCommonPassword(password)) errors.push('This password is too common.');
  if (PYTHON_DIGIT.test(password)) errors.push('This password is entirely numeric.');
  return errors;
}
