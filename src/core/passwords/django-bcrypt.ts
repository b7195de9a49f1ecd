import { createHash } from 'node:crypto';
import { importModule, loadOptionalExport, type ModuleLoader } from '../config/optional-package.js';
import { constantTimeEqual } from './constant-time-equal.js';

/** The name Django's `BCryptSHA256PasswordHasher` writes before the bcrypt string. */
export const BCRYPT_SHA256_ALGORITHM = 'bcrypt_sha256';

/** The name Django's `BCryptPasswordHasher` (bcrypt of the raw password) writes. */
export const BCRYPT_ALGORITHM = 'bcrypt';

/** Django's `BCryptSHA256PasswordHasher.rounds` (3.2 to 5.2): the log2 cost of new hashes. */
export const DJANGO_BCRYPT_ROUNDS = 12;

/**
 * The largest cost a stored hash may ask for: each step doubles the work, and bcryptjs runs on
 * the event loop (in slices), so a row naming cost 31 would cost days. 16 is 16 times Django's.
 */
export const MAX_BCRYPT_ROUNDS = 16;

type BcryptVariant = typeof BCRYPT_SHA256_ALGORITHM | typeof BCRYPT_ALGORITHM;
type BcryptHash = (password: string, saltOrRounds: string | number) => Promise<string>;

/**
 * The cost of a stored `bcrypt_sha256$$2b$12$…` or `bcrypt$$2b$12$…` value, or null when it is
 * malformed or above `MAX_BCRYPT_ROUNDS`.
 */
export function bcryptRounds(encoded: string): number | null {
  const match = /^bcrypt(?:_sha256)?\$\$2[abxy]?\$([0-9]{2})\$[./A-Za-z0-9]{53}$/.exec(encoded);
  if (!match) return null;
  const rounds = Number(match[1]);
  return rounds >= 4 && rounds <= MAX_BCRYPT_ROUNDS ? rounds : null;
}

/**
 * Django's `BCryptSHA256PasswordHasher.verify` and `BCryptPasswordHasher.verify` through
 * `bcryptjs` (an optional peer): re-hash with the stored salt, compare whole strings in constant
 * time. `bcrypt_sha256` bcrypts the hex SHA-256 of the UTF-8 password, which sidesteps bcrypt's
 * 72-byte limit; plain `bcrypt` bcrypts the password itself (truncated at 72 bytes, as in Django).
 */
export async function verifyBcrypt(
  variant: BcryptVariant,
  password: string,
  encoded: string,
  loader: ModuleLoader = importModule,
): Promise<boolean> {
  if (bcryptRounds(encoded) === null || !encoded.startsWith(`${variant}$`)) return false;
  const hash = await loadBcryptHash(`Checking a Django "${variant}" password hash`, loader);
  const stored = encoded.slice(variant.length + 1);
  try {
    const rehashed = await hash(bcryptInput(variant, password), stored.slice(0, 29));
    // bcryptjs writes the stored value's own prefix ($2a$, $2b$) back, as Python's bcrypt does.
    return constantTimeEqual(`${variant}$${rehashed}`, encoded);
  } catch {
    // A malformed stored value matches no password; bcryptjs rejects it instead of saying false.
    return false;
  }
}

/** Django's `BCryptSHA256PasswordHasher.encode` at Django's cost: `bcrypt_sha256$$2b$12$…`. */
export async function encodeBcryptSha256(
  password: string,
  loader: ModuleLoader = importModule,
): Promise<string> {
  const hash = await loadBcryptHash(
    `Writing a Django "${BCRYPT_SHA256_ALGORITHM}" password hash`,
    loader,
  );
  const input = bcryptInput(BCRYPT_SHA256_ALGORITHM, password);
  return `${BCRYPT_SHA256_ALGORITHM}$${await hash(input, DJANGO_BCRYPT_ROUNDS)}`;
}

/**
 * Django's `BCryptSHA256PasswordHasher.harden_runtime`: a wrong password on a hash of lower cost
 * than Django's still costs about as much, by re-hashing `2^(12 - rounds) - 1` more times.
 */
export async function hardenBcryptSha256(
  password: string,
  encoded: string,
  loader: ModuleLoader = importModule,
): Promise<void> {
  const rounds = bcryptRounds(encoded);
  if (rounds === null || rounds >= DJANGO_BCRYPT_ROUNDS) return;
  const hash = await loadBcryptHash(`Checking a Django "${BCRYPT_SHA256_ALGORITHM}" hash`, loader);
  const salt = encoded.slice(
    BCRYPT_SHA256_ALGORITHM.length + 1,
    BCRYPT_SHA256_ALGORITHM.length + 30,
  );
  const input = bcryptInput(BCRYPT_SHA256_ALGORITHM, password);
  for (let extra = 2 ** (DJANGO_BCRYPT_ROUNDS - rounds) - 1; extra > 0; extra--) {
    await hash(input, salt);
  }
}

function loadBcryptHash(neededFor: string, loader: ModuleLoader): Promise<BcryptHash> {
  return loadOptionalExport<BcryptHash>('bcryptjs', 'hash', neededFor, loader);
}

function bcryptInput(variant: BcryptVariant, password: string): string {
  return variant === BCRYPT_SHA256_ALGORITHM
    ? createHash('sha256').update(password, 'utf8').digest('hex')
    : password;
}
