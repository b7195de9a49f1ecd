import { scrypt } from 'node:crypto';
import { constantTimeEqual } from './constant-time-equal.js';

/** The name Django's `ScryptPasswordHasher` (Django 4.0 and later) writes first. */
export const SCRYPT_ALGORITHM = 'scrypt';

/** scrypt's cost parameters: work factor N, block size r, parallelism p. */
export interface ScryptParameters {
  readonly workFactor: number;
  readonly blockSize: number;
  readonly parallelism: number;
}

/**
 * Django 5.2's `ScryptPasswordHasher` (N = 2^14, r = 8, p = 5; 16 MiB). Django 4.0 to 5.0
 * wrote p = 1, which 5.1 and later verify but rewrite on the next login.
 */
export const DJANGO_SCRYPT_PARAMETERS: ScryptParameters = Object.freeze({
  workFactor: 2 ** 14,
  blockSize: 8,
  parallelism: 5,
});

/** Django's `dklen=64`. */
export const SCRYPT_KEY_LENGTH = 64;

/**
 * The most memory one check may take: OpenSSL's default scrypt bound, which Django's
 * `maxmem=0` keeps too, so every hash Django itself can verify stays within it.
 */
export const MAX_SCRYPT_MEMORY_BYTES = 32 * 1024 * 1024;

/**
 * `maxmem` handed to `crypto.scrypt`: a margin above the bound `scryptParametersAllowed` checks
 * before any derivation, so that check, not OpenSSL's, decides what is refused.
 */
export const SCRYPT_MAX_MEMORY_OPTION = MAX_SCRYPT_MEMORY_BYTES + 1024 * 1024;

/**
 * The largest parallelism a stored hash may ask for. Memory does not grow with p but time does,
 * linearly: 16 is three times Django's 5, and a row asking for more is refused unread.
 */
export const MAX_SCRYPT_PARALLELISM = 16;

/** A stored `scrypt$<N>$<salt>$<r>$<p>$<base64 hash>` value. */
export interface DecodedScrypt extends ScryptParameters {
  readonly salt: string;
}

/** Computes scrypt like `crypto.scrypt`; injectable for tests. */
export type ScryptFunction = (
  password: string,
  salt: string,
  parameters: ScryptParameters,
) => Promise<Uint8Array>;

/** `crypto.scrypt` on libuv's pool, with the memory bound OpenSSL enforces too. */
export const nodeScrypt: ScryptFunction = (
  password,
  salt,
  { workFactor, blockSize, parallelism },
) =>
  new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      SCRYPT_KEY_LENGTH,
      {
        N: workFactor,
        r: blockSize,
        p: parallelism,
        maxmem: SCRYPT_MAX_MEMORY_OPTION,
      },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });

/**
 * True when the parameters are ones scrypt accepts and within tessera's bounds: N a power of
 * two above 1, r and p positive, OpenSSL's memory estimate `128·r·(N + p + 2)` at most 32 MiB,
 * p at most 16. A row from the database is input like any other: an `auth_user` row naming
 * N = 2^30 must cost nothing but a refusal, not 128 GiB.
 */
export function scryptParametersAllowed({
  workFactor,
  blockSize,
  parallelism,
}: ScryptParameters): boolean {
  if (![workFactor, blockSize, parallelism].every(Number.isSafeInteger)) return false;
  if (workFactor < 2 || (workFactor & (workFactor - 1)) !== 0) return false;
  if (blockSize < 1 || parallelism < 1 || parallelism > MAX_SCRYPT_PARALLELISM) return false;
  return 128 * blockSize * (workFactor + parallelism + 2) <= MAX_SCRYPT_MEMORY_BYTES;
}

/** Splits a stored scrypt value, or null when it is malformed or its parameters are refused. */
export function decodeScrypt(encoded: string): DecodedScrypt | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== SCRYPT_ALGORITHM) return null;
  const [, n, salt, r, p] = parts as [string, string, string, string, string, string];
  if (salt === '' || ![n, r, p].every((text) => /^[0-9]{1,10}$/.test(text))) return null;
  const decoded = { workFactor: Number(n), blockSize: Number(r), parallelism: Number(p), salt };
  return scryptParametersAllowed(decoded) ? decoded : null;
}

/** Django's `ScryptPasswordHasher.encode`: `scrypt$<N>$<salt>$<r>$<p>$<base64 of 64 bytes>`. */
export async function encodeScrypt(
  password: string,
  salt: string,
  parameters: ScryptParameters = DJANGO_SCRYPT_PARAMETERS,
  derive: ScryptFunction = nodeScrypt,
): Promise<string> {
  if (salt === '' || salt.includes('$')) {
    throw new RangeError('A scrypt salt must be non-empty and must not contain "$".');
  }
  if (!scryptParametersAllowed(parameters)) {
    throw new RangeError('scrypt parameters out of bounds.');
  }
  const key = await derive(password, salt, parameters);
  const { workFactor, blockSize, parallelism } = parameters;
  const hash = Buffer.from(key).toString('base64');
  return `${SCRYPT_ALGORITHM}$${workFactor}$${salt}$${blockSize}$${parallelism}$${hash}`;
}

/**
 * Django's `ScryptPasswordHasher.verify`: re-encodes with the stored salt and parameters and
 * compares whole strings in constant time. Refused parameters match nothing, without a
 * derivation.
 */
export async function verifyScrypt(
  password: string,
  encoded: string,
  derive: ScryptFunction = nodeScrypt,
): Promise<boolean> {
  const decoded = decodeScrypt(encoded);
  if (decoded === null) return false;
  const expected = await encodeScrypt(password, decoded.salt, decoded, derive);
  return constantTimeEqual(expected, encoded);
}

/** Django's `ScryptPasswordHasher.must_update`: any parameter differs from the configured. */
export function scryptNeedsUpdate(
  decoded: ScryptParameters,
  configured: ScryptParameters = DJANGO_SCRYPT_PARAMETERS,
): boolean {
  return (
    decoded.workFactor !== configured.workFactor ||
    decoded.blockSize !== configured.blockSize ||
    decoded.parallelism !== configured.parallelism
  );
}
