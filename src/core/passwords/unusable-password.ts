import { randomString } from './random-string.js';

/** Django's `UNUSABLE_PASSWORD_PREFIX`: no hash format starts with it, so nothing verifies. */
export const UNUSABLE_PASSWORD_PREFIX = '!';

/** Random characters after the prefix, as in Django's `UNUSABLE_PASSWORD_SUFFIX_LENGTH`. */
export const UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40;

/** Django's `make_password(None)`: a stored value no password matches. */
export function makeUnusablePassword(): string {
  return UNUSABLE_PASSWORD_PREFIX + randomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH);
}

/** Django's `is_password_usable`: false for values made by `makeUnusablePassword`. */
export function isPasswordUsable(encoded: string): boolean {
  return !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX);
}
