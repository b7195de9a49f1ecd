import { pbkdf2 } from 'node:crypto';
import { pythonLength } from '../drf-compat/python-strings.js';
import { constantTimeEqual } from './constant-time-equal.js';
import { RANDOM_STRING_CHARS, randomString } from './random-string.js';

/** The digests Django's PBKDF2 hashers use. */
export type Pbkdf2Digest = 'sha256' | 'sha1';

/** Derives a key like `crypto.pbkdf2`; injectable so the hasher can limit and tests can count. */
export type Pbkdf2Function = (
  password: string,
  salt: string,
  iterations: number,
  keyLength: number,
  digest: Pbkdf2Digest,
) => Promise<Uint8Array>;

/** One of Django's PBKDF2 hashers: the name before the first `$` and its key derivation. */
export interface Pbkdf2Algorithm {
  readonly name: 'pbkdf2_sha256' | 'pbkdf2_sha1';
  readonly digest: Pbkdf2Digest;
  readonly keyLength: number;
}

/** Django's `PBKDF2PasswordHasher`, the default hasher. */
export const PBKDF2_SHA256: Pbkdf2Algorithm = {
  name: 'pbkdf2_sha256',
  digest: 'sha256',
  keyLength: 32,
};

/** Django's `PBKDF2SHA1PasswordHasher`; `dklen=None` means the digest's size. */
export const PBKDF2_SHA1: Pbkdf2Algorithm = { name: 'pbkdf2_sha1', digest: 'sha1', keyLength: 20 };

/** Django 5.2's `PBKDF2PasswordHasher.iterations`. */
export const DEFAULT_PBKDF2_ITERATIONS = 1_000_000;

/** The largest count `crypto.pbkdf2` accepts (a signed 32-bit integer). */
export const MAX_PBKDF2_ITERATIONS = 2 ** 31 - 1;

/**
 * The largest count a stored PBKDF2 hash may ask for unless tessera is configured higher: 20 times
 * Django 5.2's. A row naming 2^31 - 1 would hold a hashing thread for half an hour; beyond this it
 * matches nothing and nothing is computed, as with scrypt and argon2.
 */
export const MAX_STORED_PBKDF2_ITERATIONS = 20_000_000;

/** Django's `salt_entropy`: salts carrying fewer bits are replaced on the next login. */
export const SALT_ENTROPY_BITS = 128;

/** Django's salt length, `ceil(128 / log2(62))` = 22 characters. */
export const SALT_LENGTH = Math.ceil(SALT_ENTROPY_BITS / Math.log2(RANDOM_STRING_CHARS.length));

/** A stored `<algorithm>$<iterations>$<salt>$<hash>` value, split as Django's `split('$', 3)`. */
export interface DecodedPbkdf2 {
  readonly algorithm: Pbkdf2Algorithm;
  readonly iterations: number;
  readonly salt: string;
  readonly hash: string;
}

/** The asynchronous `crypto.pbkdf2`: it runs on the libuv thread pool, not the event loop. */
export const nodePbkdf2: Pbkdf2Function = (password, salt, iterations, keyLength, digest) =>
  new Promise((resolve, reject) => {
    // Strings go in as UTF-8, Django's `force_bytes`, and are never Unicode-normalised.
    pbkdf2(password, salt, iterations, keyLength, digest, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });

/** A new random salt, as Django's `BasePasswordHasher.salt()` makes. */
export function generateSalt(): string {
  return randomString(SALT_LENGTH);
}

/** Django's `must_update_salt`: true when `salt` carries fewer than 128 bits. */
export function saltNeedsUpdate(salt: string): boolean {
  return pythonLength(salt) * Math.log2(RANDOM_STRING_CHARS.length) < SALT_ENTROPY_BITS;
}

/** True for an iteration count `crypto.pbkdf2` can run. */
export function isValidIterationCount(iterations: number): boolean {
  return Number.isInteger(iterations) && iterations >= 1 && iterations <= MAX_PBKDF2_ITERATIONS;
}

/**
 * Django's `PBKDF2PasswordHasher.encode`: `<algorithm>$<iterations>$<salt>$<base64 hash>`.
 * @example
 * await encodePbkdf2('password', 'seasalt', 260000);
 * // 'pbkdf2_sha256$260000$seasalt$ftMWvEdczZQK5azuap2CQYKRjHLa1wOuMrfMiYEswYQ='
 */
export async function encodePbkdf2(
  password: string,
  salt: string,
  iterations: number,
  algorithm: Pbkdf2Algorithm = PBKDF2_SHA256,
  derive: Pbkdf2Function = nodePbkdf2,
): Promise<string> {
  // Django asserts the same: a `$` in the salt would make the stored value unparseable.
  if (salt === '' || salt.includes('$')) {
    throw new RangeError('A PBKDF2 salt must be non-empty and must not contain "$".');
  }
  if (!isValidIterationCount(iterations)) {
    throw new RangeError(
      `PBKDF2 iterations must be an integer from 1 to ${MAX_PBKDF2_ITERATIONS}.`,
    );
  }
  const key = await derive(password, salt, iterations, algorithm.keyLength, algorithm.digest);
  return `${algorithm.name}$${iterations}$${salt}$${Buffer.from(key).toString('base64')}`;
}

/** The PBKDF2 hasher a stored value names, or null when it names another or none. */
export function pbkdf2AlgorithmNamed(name: string): Pbkdf2Algorithm | null {
  if (name === PBKDF2_SHA256.name) return PBKDF2_SHA256;
  if (name === PBKDF2_SHA1.name) return PBKDF2_SHA1;
  return null;
}

/** Splits a stored PBKDF2 value, or returns null when it is not one `verifyPbkdf2` could check. */
export function decodePbkdf2(encoded: string): DecodedPbkdf2 | null {
  const first = encoded.indexOf('$');
  const second = encoded.indexOf('$', first + 1);
  const third = encoded.indexOf('$', second + 1);
  if (first < 0 || second < 0 || third < 0) return null;
  const algorithm = pbkdf2AlgorithmNamed(encoded.slice(0, first));
  const iterationsText = encoded.slice(first + 1, second);
  const salt = encoded.slice(second + 1, third);
  if (algorithm === null || salt === '' || !/^[0-9]+$/.test(iterationsText)) return null;
  const iterations = Number(iterationsText);
  if (!isValidIterationCount(iterations)) return null;
  return { algorithm, iterations, salt, hash: encoded.slice(third + 1) };
}

/** Django's `PBKDF2PasswordHasher.verify`: re-encodes with the stored salt and count. */
export async function verifyPbkdf2(
  password: string,
  encoded: string,
  derive: Pbkdf2Function = nodePbkdf2,
): Promise<boolean> {
  const decoded = decodePbkdf2(encoded);
  if (decoded === null) return false;
  const expected = await encodePbkdf2(
    password,
    decoded.salt,
    decoded.iterations,
    decoded.algorithm,
    derive,
  );
  // Django compares whole strings, so a non-canonical count ("0260000") never verifies either.
  return constantTimeEqual(expected, encoded);
}
