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

/**
 * Where the key starts in the usual header, `<keyword> <key>`: a keyword of `usualKeywords`
 * (lowercase, none empty or holding whitespace: DRF's split never yields one) in any case, one
 * space, then at least one character; 0 for any other header. Whether DRF's split gives the
 * rest as the key depends on the rest (see `isPlainKeyAt`); a well-formed key is always plain.
 */
export function usualKeyStart(header: string, usualKeywords: readonly string[]): number {
  for (const keyword of usualKeywords) {
    const size = keyword.length;
    if (
      size > 0 &&
      header.length > size + 1 &&
      header.charCodeAt(size) === 0x20 &&
      isKeywordAt(header, 0, keyword)
    ) {
      return size + 1;
    }
  }
  return 0;
}

/**
 * True when `header` from `start` is printable ASCII without a space (0x21 to 0x7E): after a
 * usual keyword and one space, DRF's split then gives exactly that key, which its strict UTF-8
 * decoding leaves as it is, so the general parse (`parseAuthorizationHeader`) would find it too.
 */
export function isPlainKeyAt(header: string, start: number): boolean {
  for (let i = start; i < header.length; i++) {
    const code = header.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f) return false;
  }
  return true;
}

// DRF compares `auth[0].lower()` with the keyword: bytes.lower() folds ASCII letters only.
function matchesKeyword(
  header: string,
  start: number,
  end: number,
  lowercaseKeywords: readonly string[],
): boolean {
  for (const keyword of lowercaseKeywords) {
    if (keyword.length === end - start && isKeywordAt(header, start, keyword)) return true;
  }
  return false;
}

// Whether `header` holds `keyword` (lowercase) at `start`, its ASCII letters in any case.
function isKeywordAt(header: string, start: number, keyword: string): boolean {
  for (let i = 0; i < keyword.length; i++) {
    let code = header.charCodeAt(start + i);
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== keyword.charCodeAt(i)) return false;
  }
  return true;
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
