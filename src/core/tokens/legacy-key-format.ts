/**
 * DRF's key grammar, accepted beside tessera's own so clients holding a DRF key keep working
 * after a move: `secrets.token_hex(20)` (3.14: `hexlify(os.urandom(20))`), 40 lowercase hex
 * characters. DRF itself checks no grammar (any `key` its table holds works); a key a Django app
 * set by hand in another shape (uppercase hex, other characters, another length) is not accepted.
 */
export const LEGACY_KEY_LENGTH = 40;

/** True when `key` is 40 characters of `[0-9a-f]`, the shape of every key DRF generates. */
export function isLegacyKey(key: string): boolean {
  if (key.length !== LEGACY_KEY_LENGTH) return false;
  for (let i = 0; i < LEGACY_KEY_LENGTH; i++) {
    const code = key.charCodeAt(i);
    // 0-9 or a-f; anything else (uppercase, NUL, non-ASCII) is not a DRF-generated key.
    if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) return false;
  }
  return true;
}
