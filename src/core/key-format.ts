import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * tessera's key grammar, fixed because every issued key depends on it:
 * `tsr_` + 32 random base62 characters + 6 base62 checksum characters (42 in all).
 * The checksum is the unsigned IEEE CRC32 of the 32 random characters only (not of the prefix),
 * in base62, zero-padded to 6 characters, so secret scanners can check a key offline.
 */
export const KEY_PREFIX = 'tsr_';
export const KEY_RANDOM_LENGTH = 32;
export const KEY_CHECKSUM_LENGTH = 6;
export const KEY_LENGTH = KEY_PREFIX.length + KEY_RANDOM_LENGTH + KEY_CHECKSUM_LENGTH;
export const KEY_PATTERN = /^tsr_[0-9A-Za-z]{38}$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 248 = 4 * 62: bytes at or above it are thrown away so every character is equally likely.
const UNBIASED_LIMIT = 248;

/** Draws the 32 random characters of a key from `crypto.randomBytes`, without modulo bias. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const byte = bytes[i] as number;
      if (byte < UNBIASED_LIMIT) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** The 6-character base62 CRC32 of a key's random part. */
export function keyChecksum(randomPart: string): string {
  let value = crc32(randomPart);
  let out = '';
  for (let i = 0; i < KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/**
 * Makes a new plaintext key. It is shown once, at creation, and stored only as its digest.
 * @example
 * const key = generateKey(); // 'tsr_…' (42 characters)
 */
export function generateKey(): string {
  const randomPart = randomBase62(KEY_RANDOM_LENGTH);
  return KEY_PREFIX + randomPart + keyChecksum(randomPart);
}

/** True when `key` follows the grammar and its checksum matches; needs no database. */
export function isWellFormedKey(key: string): boolean {
  if (key.length !== KEY_LENGTH || !KEY_PATTERN.test(key)) return false;
  const randomEnd = KEY_PREFIX.length + KEY_RANDOM_LENGTH;
  return keyChecksum(key.slice(KEY_PREFIX.length, randomEnd)) === key.slice(randomEnd);
}

/** The stored form of a key: SHA-256 of its UTF-8 bytes as 64 lowercase hex characters. */
export function keyDigest(key: string): string {
  return hash('sha256', key, 'hex');
}

/** What listings show of a key: the prefix and the first 4 random characters. */
export function keyPreview(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 4);
}
