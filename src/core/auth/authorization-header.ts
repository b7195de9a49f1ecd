import { AuthenticationFailed } from '../errors.js';

// Python's `bytes.split()` splits on these six ASCII bytes only. JavaScript's `\s` would also
// split on U+00A0 (latin-1 byte 0xA0) and others, which DRF keeps inside the token.
function isAsciiWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** DRF's text for a keyword without a key. */
export const NO_CREDENTIALS = 'Invalid token header. No credentials provided.';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads `Authorization: <keyword> <key>` exactly as DRF's `TokenAuthentication.authenticate`.
 *
 * The header arrives as a latin-1 string (one character per byte, as Node's HTTP parser gives it).
 * Returns `null` when the header is absent or names another scheme (the next authenticator runs),
 * the key when it is well formed, and throws `AuthenticationFailed` with DRF's texts otherwise.
 *
 * @example
 * parseAuthorizationHeader('token  abc', ['token']); // 'abc'
 * parseAuthorizationHeader('Bearer abc', ['token']); // null
 */
export function parseAuthorizationHeader(
  header: string | undefined,
  lowercaseKeywords: readonly string[],
): string | null {
  if (!header) return null;
  const length = header.length;
  let start = 0;
  while (start < length && isAsciiWhitespace(header.charCodeAt(start))) start++;
  if (start === length) return null;
  let end = start;
  while (end < length && !isAsciiWhitespace(header.charCodeAt(end))) end++;
  if (!matchesKeyword(header, start, end, lowercaseKeywords)) return null;

  let keyStart = end;
  while (keyStart < length && isAsciiWhitespace(header.charCodeAt(keyStart))) keyStart++;
  if (keyStart === length) {
    throw new AuthenticationFailed(NO_CREDENTIALS);
  }
  // The key's highest character code is noted while scanning, so it is read once, not twice.
  let keyEnd = keyStart;
  let highest = 0;
  for (; keyEnd < length; keyEnd++) {
    const code = header.charCodeAt(keyEnd);
    if (isAsciiWhitespace(code)) break;
    if (code > highest) highest = code;
  }
  let rest = keyEnd;
  while (rest < length && isAsciiWhitespace(header.charCodeAt(rest))) rest++;
  if (rest !== length) {
    throw new AuthenticationFailed('Invalid token header. Token string should not contain spaces.');
  }
  return decodeKey(header.slice(keyStart, keyEnd), highest);
}

// DRF compares `auth[0].lower()` with the keyword: bytes.lower() folds ASCII letters only.
function matchesKeyword(
  header: string,
  start: number,
  end: number,
  lowercaseKeywords: readonly string[],
): boolean {
  const size = end - start;
  for (const keyword of lowercaseKeywords) {
    if (keyword.length !== size) continue;
    let same = true;
    for (let i = 0; i < size; i++) {
      let code = header.charCodeAt(start + i);
      if (code >= 0x41 && code <= 0x5a) code += 0x20;
      if (code !== keyword.charCodeAt(i)) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}

// DRF decodes the key bytes as strict UTF-8; most keys are plain ASCII and skip the decoder.
function decodeKey(raw: string, highest: number): string {
  if (highest > 0xff) throw invalidCharacters();
  if (highest <= 0x7f) return raw;
  try {
    return strictUtf8.decode(Buffer.from(raw, 'latin1'));
  } catch {
    throw invalidCharacters();
  }
}

function invalidCharacters(): AuthenticationFailed {
  return new AuthenticationFailed(
    'Invalid token header. Token string should not contain invalid characters.',
  );
}
