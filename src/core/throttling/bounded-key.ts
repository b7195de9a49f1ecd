import { hash } from 'node:crypto';

/** Longest key a backend stores as given; longer ones are shortened by `boundedKey`. */
export const MAX_THROTTLE_KEY_LENGTH = 200;

/**
 * A throttle key of at most `MAX_THROTTLE_KEY_LENGTH` characters: short keys (DRF's
 * `throttle_anon_203.0.113.9`) unchanged, longer ones as their start and a SHA-256 of the whole,
 * so an ident a client can stretch (a header) can never make a backend's keys grow with it.
 * @example
 * boundedKey(`throttle_anon_${'x'.repeat(15_000)}`).length; // 200
 */
export function boundedKey(key: string): string {
  if (key.length <= MAX_THROTTLE_KEY_LENGTH) return key;
  // 43 characters of base64url digest after a `#`: the start stays readable in `redis-cli`.
  // JSON.stringify keeps lone surrogates distinct (UTF-8 would make them all U+FFFD).
  return `${key.slice(0, MAX_THROTTLE_KEY_LENGTH - 44)}#${hash('sha256', JSON.stringify(key), 'base64url')}`;
}
