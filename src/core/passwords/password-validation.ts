/** Django's `MinimumLengthValidator` default. */
export const MIN_PASSWORD_LENGTH = 8;

/** Who the password is for; Django's validators receive the user being created. */
export interface PasswordOwner {
  readonly username?: string;
}

// Python's str.isdigit: Unicode decimal digits (\p{Nd}) plus the Numeric_Type=Digit characters
// (superscripts, circled and parenthesised digits, …), listed from Python 3.11's unicodedata.
const PYTHON_DIGIT =
  /^[\p{Nd}\u00B2\u00B3\u00B9\u1369-\u1371\u19DA\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247C\u2488-\u2490\u24EA\u24F5-\u24FD\u24FF\u2776-\u277E\u2780-\u2788\u278A-\u2792\u{10A40}-\u{10A43}\u{10E60}-\u{10E68}\u{11052}-\u{1105A}\u{1F100}-\u{1F10A}]+$/u;

/**
 * The messages of the Django password validators tessera applies, in Django's order: an empty
 * list means the password passes. The similarity and common-password checks are not applied; the
 * owner is accepted to keep Django's signature for when they are.
 * @example
 * validatePassword('1234', { username: 'admin' });
 * // ['This password is too short. It must contain at least 8 characters.',
 * //  'This password is entirely numeric.']
 */
export function validatePassword(password: string, _owner: PasswordOwner = {}): string[] {
  const errors: string[] = [];
  // Python's len counts code points, not UTF-16 units.
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    errors.push(
      `This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`,
    );
  }
  if (PYTHON_DIGIT.test(password)) errors.push('This password is entirely numeric.');
  return errors;
}
