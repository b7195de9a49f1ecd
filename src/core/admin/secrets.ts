import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** A keyed digest (HMAC-SHA256, hex) of `value` for `purpose`, so one key serves many uses. */
export function signValue(secretKey: string, purpose: string, value: string): string {
  return createHmac('sha256', secretKey).update(`${purpose}\0${value}`).digest('hex');
}

/** The SHA-256 (hex) a session id is stored and looked up by, never the id itself. */
export function sessionDigest(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/** A new unguessable id (256 bits), URL- and cookie-safe. */
export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares two strings in constant time for their length. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function encryptionKey(secretKey: string): Buffer {
  return createHash('sha256').update(`tessera.admin.flash\0${secretKey}`).digest();
}

/**
 * Seals a value (AES-256-GCM) for a cookie, bound to `context` (the session): a new key shown
 * once travels this way, so it never sits in the database, a URL or the server's memory.
 */
export function seal(secretKey: string, context: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(secretKey), iv);
  cipher.setAAD(Buffer.from(context));
  const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** Opens what `seal` sealed for the same context, or null when it was not (or was altered). */
export function unseal(secretKey: string, context: string, sealed: string): string | null {
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length < 29) return null;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      encryptionKey(secretKey),
      bytes.subarray(0, 12),
    );
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
