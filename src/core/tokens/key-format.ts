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
/** A well-formed key's shape (the checksum is checked by `isWellFormedKey`). */
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

// Each ASCII character's base62 value, or -1.
const BASE62_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62.length; i++) BASE62_VALUES[BASE62.charCodeAt(i)] = i;

// The CRC-32 (IEEE, reflected 0xEDB88320) of one byte (CRC32_TABLES[0]), and of one byte
// followed by 1, 2 and 3 zero bytes (CRC32_TABLES[1..3]): four bytes are then taken in one step
// ("slicing by 4") instead of four steps that each wait on the last.
const CRC32_TABLES = [0, 1, 2, 3].map(() => new Int32Array(256));
const [CRC0, CRC1, CRC2, CRC3] = CRC32_TABLES as [Int32Array, Int32Array, Int32Array, Int32Array];
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC0[n] = c;
}
for (let n = 0; n < 256; n++) {
  CRC1[n] = (CRC0[(CRC0[n] as number) & 0xff] as number) ^ ((CRC0[n] as number) >>> 8);
  CRC2[n] = (CRC0[(CRC1[n] as number) & 0xff] as number) ^ ((CRC1[n] as number) >>> 8);
  CRC3[n] = (CRC0[(CRC2[n] as number) & 0xff] as number) ^ ((CRC2[n] as number) >>> 8);
}

// The base62 value of a character code, or -1 when it is none (a code above 0x7F too, without a
// branch): OR-ed together, the values of a run are negative exactly when one is not base62.
function base62Value(code: number): number {
  return (BASE62_VALUES[code & 0x7f] as number) | ((0x7f - code) >> 31);
}

/** True when `key` follows the grammar and its checksum matches; needs no database. */
export function isWellFormedKey(key: string): boolean {
  return keyCheckAt(key, 0) === KEY_WELL_FORMED;
}

/** `keyCheckAt`: a well-formed key. */
export const KEY_WELL_FORMED = 0;
/** `keyCheckAt`: `tsr_` and 38 base62 characters, only the checksum wrong. */
export const KEY_BAD_CHECKSUM = 1;
/** `keyCheckAt`: anything else. */
export const KEY_MALFORMED = 2;

/**
 * Checks `text` from `start` to its end as `isWellFormedKey` does, without taking it out (the
 * request path checks the key inside its `Authorization` header and slices only a key it needs),
 * and tells a key of the right shape with a wrong checksum (plain ASCII, then) from the rest.
 */
export function keyCheckAt(
  text: string,
  start: number,
): typeof KEY_WELL_FORMED | typeof KEY_BAD_CHECKSUM | typeof KEY_MALFORMED {
  // Every authenticated request runs this: one pass over the character codes (the CRC of ASCII
  // characters is their bytes') took about 60 ns where the regex, zlib's crc32 (which copies the
  // string out to UTF-8) and a checksum string took about 360 ns on the benchmark machine.
  if (text.length - start !== KEY_LENGTH || !text.startsWith(KEY_PREFIX, start)) {
    return KEY_MALFORMED;
  }
  const randomStart = start + KEY_PREFIX.length;
  const randomEnd = randomStart + KEY_RANDOM_LENGTH;
  let crc = -1;
  let values = 0;
  // 32 random characters, four at a time; any that is not base62 is noted and judged after.
  for (let i = randomStart; i < randomEnd; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    // A code above 0x7F is no base62 character either: `0x7f - code` is then negative.
    values |=
      (BASE62_VALUES[a & 0x7f] as number) |
      (BASE62_VALUES[b & 0x7f] as number) |
      (BASE62_VALUES[c & 0x7f] as number) |
      (BASE62_VALUES[d & 0x7f] as number) |
      (0x7f - (a | b | c | d));
    crc ^= a | (b << 8) | (c << 16) | (d << 24);
    crc =
      (CRC3[crc & 0xff] as number) ^
      (CRC2[(crc >>> 8) & 0xff] as number) ^
      (CRC1[(crc >>> 16) & 0xff] as number) ^
      (CRC0[crc >>> 24] as number);
  }
  // The checksum's digits read back as a number: `keyChecksum` writes the CRC (below 62^6) in
  // exactly 6 digits, so the digits match exactly when the numbers do.
  let checksum = 0;
  for (let i = randomEnd; i < randomEnd + KEY_CHECKSUM_LENGTH; i++) {
    const value = base62Value(text.charCodeAt(i));
    values |= value;
    checksum = checksum * 62 + value;
  }
  if (values < 0) return KEY_MALFORMED;
  return checksum === ~crc >>> 0 ? KEY_WELL_FORMED : KEY_BAD_CHECKSUM;
}

/** The stored form of a key: SHA-256 of its UTF-8 bytes as 64 lowercase hex characters. */
export function keyDigest(key: string): string {
  return hash('sha256', key, 'hex');
}

/**
 * What listings show of a key: the prefix and the first 4 random characters. A key without the
 * prefix (DRF's 40 hex characters, imported) shows its first 4 characters: no more of the secret
 * than a `tsr_` preview shows.
 */
export function keyPreview(key: string): string {
  return key.slice(0, key.startsWith(KEY_PREFIX) ? KEY_PREFIX.length + 4 : 4);
}
