import fc from 'fast-check';
import { parseAuthorizationHeader } from '../../../src/core/auth/authorization-header.js';
import { AuthenticationFailed } from '../../../src/core/errors.js';

/** What DRF's `TokenAuthentication.authenticate` does with a header: the model the parser must match. */
export type HeaderOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'error'; readonly message: string };

// Python's bytes.split() with no argument splits on these six bytes only.
const PYTHON_BYTES_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

function pythonBytesSplit(bytes: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const space = i === bytes.length || PYTHON_BYTES_WHITESPACE.has(bytes[i] as number);
    if (space && start >= 0) {
      parts.push(bytes.subarray(start, i));
      start = -1;
    } else if (!space && start < 0) {
      start = i;
    }
  }
  return parts;
}

// bytes.lower(): ASCII letters only.
function pythonBytesLower(bytes: Uint8Array): Uint8Array {
  return bytes.map((byte) => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte));
}

/**
 * DRF, literally: `auth = get_authorization_header(request).split()` (latin-1 bytes), the keyword
 * compared with `auth[0].lower()`, one credential required, decoded as strict UTF-8.
 */
export function drfAuthorizationModel(
  header: string | undefined,
  keywords: readonly string[],
): HeaderOutcome {
  const auth = pythonBytesSplit(Buffer.from(header ?? '', 'latin1'));
  const first = auth[0];
  if (first === undefined) return { kind: 'none' };
  const lowered = Buffer.from(pythonBytesLower(first)).toString('latin1');
  if (!keywords.some((keyword) => keyword.toLowerCase() === lowered)) return { kind: 'none' };
  if (auth.length === 1) {
    return { kind: 'error', message: 'Invalid token header. No credentials provided.' };
  }
  if (auth.length > 2) {
    return {
      kind: 'error',
      message: 'Invalid token header. Token string should not contain spaces.',
    };
  }
  try {
    const key = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(auth[1]);
    return { kind: 'key', key };
  } catch {
    return {
      kind: 'error',
      message: 'Invalid token header. Token string should not contain invalid characters.',
    };
  }
}

/** What tessera's parser does, in the model's terms; anything but `AuthenticationFailed` escapes. */
export function parserOutcome(
  header: string | undefined,
  keywords: readonly string[],
): HeaderOutcome {
  try {
    const key = parseAuthorizationHeader(
      header,
      keywords.map((keyword) => keyword.toLowerCase()),
    );
    return key === null ? { kind: 'none' } : { kind: 'key', key };
  } catch (error) {
    if (!(error instanceof AuthenticationFailed)) throw error;
    return { kind: 'error', message: error.message };
  }
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const whitespace = fc.constantFrom(' ', '\t', '\n', '\r', '\x0b', '\x0c', '\xa0', '\x85', '\x1c');
const spaces = fc.array(whitespace, { maxLength: 3 }).map((chars) => chars.join(''));
export const keyword = fc.oneof(
  { arbitrary: fc.constantFrom('Token', 'token', 'TOKEN', 'tOkEn'), weight: 4 },
  { arbitrary: fc.constantFrom('Bearer', 'Tok', 'Tokens', 'T\xd6KEN'), weight: 1 },
);
const separator = fc.oneof(
  { arbitrary: fc.constantFrom(' ', '\t', ' \t '), weight: 4 },
  { arbitrary: spaces, weight: 1 },
);
const credential = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'tsr_0aZ9-.~+/=\xe9'), maxLength: 42 }),
  fc.uint8Array({ maxLength: 12 }).map(latin1),
  fc.constantFrom('\xc3\xa9t\xc3\xa9', '\xed\xa0\x80', '\xf0\x9f\x98\x80', '\xc3', '\xff'),
);
const edge = fc.oneof({ arbitrary: fc.constant(''), weight: 3 }, { arbitrary: spaces, weight: 1 });
const credentials = fc.oneof(
  fc.tuple(separator, credential).map((one) => [one]),
  fc.array(fc.tuple(separator, credential), { maxLength: 3 }),
);

/** Any latin-1 header, and headers shaped like `<keyword> <credentials…>` with odd separators. */
export const headerArbitrary = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map(latin1), weight: 1 },
  {
    arbitrary: fc
      .tuple(edge, keyword, credentials, edge)
      .map(([lead, word, rest, tail]) => lead + word + rest.map(([s, c]) => s + c).join('') + tail),
    weight: 4,
  },
);
