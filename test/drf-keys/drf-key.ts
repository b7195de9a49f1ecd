import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/core/store.js';
import { keyDigest, keyPreview } from '../../src/core/tokens/key-format.js';
import type { Token } from '../../src/core/tokens/token.js';

/** A key as DRF makes it: `secrets.token_hex(20)`, 40 lowercase hex characters. */
export function drfKey(): string {
  return randomBytes(20).toString('hex');
}

/**
 * Stores `key` as `tessera tokens import-drf` does: the user's `default` token, the key's digest,
 * scope `*`. Returns the stored token.
 */
export function storeDrfKey(store: Store, userId: number, key: string, at: Date): Promise<Token> {
  return store.createToken({
    userId,
    kind: 'default',
    name: 'default',
    digest: keyDigest(key),
    preview: keyPreview(key),
    scopes: ['*'],
    created: at,
    expires: null,
    slidingSeconds: null,
    maxExpires: null,
  });
}
