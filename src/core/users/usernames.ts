/** Django's `AbstractUser.username` rules and messages. */
export const USERNAME_MAX_LENGTH = 150;

// Django's UnicodeUsernameValidator: `^[\w.@+-]+\Z`, where Python's \w is letters, numbers and _.
const USERNAME_PATTERN = /^[\p{L}\p{N}_.@+-]+$/u;

/** Django's `normalize_username`: NFKC, so look-alike characters cannot make twin accounts. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/** Django's validation messages for a username, empty when it is valid. */
export function validateUsername(username: string): string[] {
  if (username === '') return ['This field cannot be blank.'];
  const errors: string[] = [];
  if (username.length > USERNAME_MAX_LENGTH) {
    errors.push(
      `Ensure this value has at most ${USERNAME_MAX_LENGTH} characters (it has ${username.length}).`,
    );
  }
  if (!USERNAME_PATTERN.test(username)) {
    errors.push(
      'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
    );
  }
  return errors;
}

/** Django's `normalize_email`: the domain part is lower-cased. */
export function normalizeEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return trimmed;
  return trimmed.slice(0, at + 1) + trimmed.slice(at + 1).toLowerCase();
}

// A pragmatic subset of Django's EmailValidator: one @, a non-empty local part, a dotted domain
// (or `localhost`), no whitespace.
const EMAIL_PATTERN = /^[^\s@]+@(?:localhost|[^\s@.]+(?:\.[^\s@.]+)+)$/;

/** Django's message for an invalid email address, empty when valid (blank is allowed). */
export function validateEmail(email: string): string[] {
  if (email === '' || EMAIL_PATTERN.test(email)) return [];
  return ['Enter a valid email address.'];
}
