import { createHash } from 'node:crypto';
import { importModule, loadOptionalExport, type ModuleLoader } from '../config/optional-package.js';

/** The name Django's `BCryptSHA256PasswordHasher` writes before the bcrypt string. */
export const BCRYPT_SHA256_ALGORITHM = 'bcrypt_sha256';

type BcryptCompare = (password: string, hashValue: string) => Promise<boolean>;

/**
 * Django's `BCryptSHA256PasswordHasher.verify` through `bcryptjs` (an optional peer).
 * Django bcrypts the hex SHA-256 of the UTF-8 password, which sidesteps bcrypt's 72-byte limit,
 * and stores `bcrypt_sha256$` + the bcrypt string (`bcrypt_sha256$$2b$12$…`).
 */
export async function verifyBcryptSha256(
  password: string,
  encoded: string,
  loader: ModuleLoader = importModule,
): Promise<boolean> {
  const compare = await loadOptionalExport<BcryptCompare>(
    'bcryptjs',
    'compare',
    `Checking a Django "${BCRYPT_SHA256_ALGORITHM}" password hash`,
    loader,
  );
  const bcryptHash = encoded.slice(BCRYPT_SHA256_ALGORITHM.length + 1);
  try {
    // bcryptjs compares the recomputed hash in constant time.
    return await compare(sha256Hex(password), bcryptHash);
  } catch {
    // A malformed stored value matches no password; bcryptjs rejects it instead of saying false.
    return false;
  }
}

function sha256Hex(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}
