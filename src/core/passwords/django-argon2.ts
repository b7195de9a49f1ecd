import { importModule, loadOptionalExport, type ModuleLoader } from '../config/optional-package.js';

/** The name Django's `Argon2PasswordHasher` writes before the PHC string. */
export const ARGON2_ALGORITHM = 'argon2';

type Argon2Verify = (digest: string, password: string) => Promise<boolean>;

/**
 * Django's `Argon2PasswordHasher.verify` through the `argon2` package (an optional peer).
 * Django stores `argon2` + a PHC string (`argon2$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so the
 * PHC string is everything after the algorithm name, whose leading `$` it keeps.
 */
export async function verifyArgon2(
  password: string,
  encoded: string,
  loader: ModuleLoader = importModule,
): Promise<boolean> {
  const verify = await loadOptionalExport<Argon2Verify>(
    'argon2',
    'verify',
    `Checking a Django "${ARGON2_ALGORITHM}" password hash`,
    loader,
  );
  const phc = encoded.slice(ARGON2_ALGORITHM.length);
  try {
    return await verify(phc, password);
  } catch {
    // A malformed stored value matches no password; argon2 throws on it instead of saying false.
    return false;
  }
}
