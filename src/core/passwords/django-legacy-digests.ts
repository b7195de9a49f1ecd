import { createHash } from 'node:crypto';
import { constantTimeEqual } from './constant-time-equal.js';

/** The one-round digests of Django's legacy hashers, verified only (never written). */
export type LegacyDigestHasher = 'sha1' | 'md5' | 'unsalted_sha1' | 'unsalted_md5';

/**
 * Django's `SHA1PasswordHasher`, `MD5PasswordHasher`, `UnsaltedSHA1PasswordHasher` and
 * `UnsaltedMD5PasswordHasher` `verify`: re-encode with the stored salt and compare the whole
 * strings in constant time. Salted: `sha1$<salt>$<hex of sha1(salt + password)>` (md5 alike);
 * unsalted: `sha1$$<hex>`, and bare `<md5 hex>` or `md5$$<md5 hex>`. Django 5.1 removed all but
 * salted md5; they remain for rows older Django wrote. A salted value with an empty salt makes
 * Django raise; here it matches nothing.
 */
export function verifyLegacyDigest(
  hasher: LegacyDigestHasher,
  password: string,
  encoded: string,
): boolean {
  switch (hasher) {
    case 'unsalted_md5': {
      // Django strips the `md5$$` prefix, then compares the bare hex.
      const stored =
        encoded.length === 37 && encoded.startsWith('md5$$') ? encoded.slice(5) : encoded;
      return constantTimeEqual(stored, hexDigest('md5', password));
    }
    case 'unsalted_sha1':
      return constantTimeEqual(encoded, `sha1$$${hexDigest('sha1', password)}`);
    case 'sha1':
    case 'md5': {
      // Python's `encoded.split('$', 2)`: the salt lies between the first two separators.
      const first = encoded.indexOf('$');
      const second = encoded.indexOf('$', first + 1);
      if (first < 0 || second < 0) return false;
      const salt = encoded.slice(first + 1, second);
      if (salt === '') return false;
      return constantTimeEqual(encoded, `${hasher}$${salt}$${hexDigest(hasher, salt + password)}`);
    }
  }
}

function hexDigest(algorithm: 'md5' | 'sha1', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}
