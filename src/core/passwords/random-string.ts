import { randomInt } from 'node:crypto';

/** Django's `RANDOM_STRING_CHARS`: the alphabet of salts and unusable passwords. */
export const RANDOM_STRING_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Django's `get_random_string`: `length` characters drawn from `RANDOM_STRING_CHARS`. */
export function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    // randomInt rejects out-of-range draws instead of reducing them modulo 62, so there is no bias.
    out += RANDOM_STRING_CHARS[randomInt(RANDOM_STRING_CHARS.length)];
  }
  return out;
}
