/** The hashers tessera can write into `auth_user.password` (`TESSERA_PASSWORD_HASHER`). */
export const WRITABLE_HASHERS = [
  'pbkdf2_sha256',
  'pbkdf2_sha1',
  'argon2',
  'bcrypt_sha256',
  'scrypt',
] as const;

/** A hasher tessera writes new hashes with; each is one of Django's `PASSWORD_HASHERS`. */
export type WritableHasher = (typeof WRITABLE_HASHERS)[number];

/** Every hasher Django 3.2 to 5.2 ships that tessera verifies (all but `crypt`). */
export type DjangoHasherName =
  | WritableHasher
  | 'bcrypt'
  | 'sha1'
  | 'md5'
  | 'unsalted_sha1'
  | 'unsalted_md5';

const KNOWN: ReadonlySet<string> = new Set<DjangoHasherName>([
  ...WRITABLE_HASHERS,
  'bcrypt',
  'sha1',
  'md5',
  'unsalted_sha1',
  'unsalted_md5',
]);

/** True for a name `TESSERA_PASSWORD_HASHER` accepts. */
export function isWritableHasher(name: string): name is WritableHasher {
  return (WRITABLE_HASHERS as readonly string[]).includes(name);
}

/**
 * Django's `identify_hasher`: which hasher a stored value names, or null for one tessera does
 * not verify. Ancient Django stored bare MD5 hex (and accepted `md5$$…` and `sha1$$…` with an
 * empty salt), which only the value's length and prefix tell apart from the salted forms.
 */
export function identifyHasher(encoded: string): DjangoHasherName | null {
  if (
    (encoded.length === 32 && !encoded.includes('$')) ||
    (encoded.length === 37 && encoded.startsWith('md5$$'))
  ) {
    return 'unsalted_md5';
  }
  if (encoded.length === 46 && encoded.startsWith('sha1$$')) return 'unsalted_sha1';
  const separator = encoded.indexOf('$');
  const name = separator < 0 ? encoded : encoded.slice(0, separator);
  return KNOWN.has(name) ? (name as DjangoHasherName) : null;
}
