import { percentDecode } from './percent-decode.js';
import { binaryToBytes, decodeStrict, lookupPythonCodec } from './python-codec.js';
import { pythonStrip } from './python-strings.js';

/** One parameter as Django's `parse_header` returns it: raw bytes, or text once decoded. */
export interface HeaderParam {
  /** The value; one character per byte unless `isText`. */
  readonly value: string;
  /** True for RFC 2231 (`name*=utf-8''…`) values and for every value of a text header. */
  readonly isText: boolean;
}

/** A header as Django 3.2's `multipartparser.parse_header` splits it. */
export interface DjangoHeader {
  /** What precedes the first `;`, stripped and lower-cased, e.g. `application/json`. */
  readonly key: string;
  /** Parameters by lower-cased name (`filename*` is stored as `filename`); the last one wins. */
  readonly params: ReadonlyMap<string, HeaderParam>;
}

/**
 * The parsed header, or which Python exception Django would raise: `value` for a `ValueError`
 * (non-ASCII type or parameter name, malformed RFC 2231 value), `lookup` for an unknown charset.
 */
export type DjangoHeaderResult =
  | { readonly header: DjangoHeader }
  | { readonly error: 'value' | 'lookup' };

// bytes.strip() and bytes.lower() know ASCII only.
const ASCII_SPACE = /^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g;
const NON_ASCII = /[\u0080-\uffff]/;

function bytesStrip(text: string): string {
  return text.replace(ASCII_SPACE, '');
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function countOf(text: string, needle: string, start: number, end: number): number {
  let count = 0;
  for (let at = text.indexOf(needle, start); at >= 0 && at + needle.length <= end; ) {
    count++;
    at = text.indexOf(needle, at + needle.length);
  }
  return count;
}

// Django's `_parse_header_params(b';' + line)` and cgi's `_parseparam(';' + line)`: split on `;`
// outside double quotes. cgi also discounts backslash-escaped quotes. Quotes are counted as the
// split advances, so a header full of `;` stays linear.
function splitParams(line: string, cgi: boolean, strip: (text: string) => string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (;;) {
    let end = line.indexOf(';', start);
    let quotes = 0;
    let counted = start;
    while (end > start) {
      quotes += countOf(line, '"', counted, end) - (cgi ? countOf(line, '\\"', counted, end) : 0);
      counted = end;
      if (quotes % 2 === 0) break;
      end = line.indexOf(';', end + 1);
    }
    if (end < 0) end = line.length;
    parts.push(strip(line.slice(start, end)));
    if (end >= line.length) return parts;
    start = end + 1;
  }
}

function unquoteValue(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replaceAll('\\\\', '\\').replaceAll('\\"', '"');
  }
  return value;
}

/**
 * Django 3.2's `parse_header`, which DRF uses (through `parse_header_parameters`) for media types
 * and Django for multipart headers. `lineIsBytes`: the line is raw bytes, one character per byte
 * (a multipart part header); otherwise it is header text, whose values are text.
 */
export function parseDjangoHeader(line: string, lineIsBytes: boolean): DjangoHeaderResult {
  const [first = '', ...rest] = splitParams(line, false, bytesStrip);
  const key = asciiLower(first);
  // `.decode('ascii')` of the type and of each parameter name raises UnicodeDecodeError.
  if (NON_ASCII.test(key)) return { error: 'value' };
  const params = new Map<string, HeaderParam>();
  for (const param of rest) {
    const equals = param.indexOf('=');
    if (equals < 0) continue;
    let name = asciiLower(bytesStrip(param.slice(0, equals)));
    if (NON_ASCII.test(name)) return { error: 'value' };
    let rfc2231 = false;
    if (name.endsWith('*')) {
      name = name.slice(0, -1);
      rfc2231 = countOf(param, "'", 0, param.length) === 2;
    }
    const value = unquoteValue(bytesStrip(param.slice(equals + 1)));
    if (!rfc2231) {
      params.set(name, { value, isText: !lineIsBytes });
      continue;
    }
    const pieces = value.split("'");
    if (pieces.length !== 3) return { error: 'value' };
    const [charsetPiece = '', , encodedPiece = ''] = pieces;
    const charset = lineIsBytes ? decodeStrict(binaryToBytes(charsetPiece), 'utf-8') : charsetPiece;
    const encoded = lineIsBytes ? decodeStrict(binaryToBytes(encodedPiece), 'utf-8') : encodedPiece;
    if (charset === undefined || encoded === undefined) return { error: 'value' };
    // unquote() looks the charset up only when there is something to decode.
    if (!encoded.includes('%')) {
      params.set(name, { value: encoded, isText: true });
      continue;
    }
    const codec = lookupPythonCodec(charset);
    if (!codec) return { error: 'lookup' };
    params.set(name, { value: percentDecode(encoded, codec), isText: true });
  }
  return { header: { key, params } };
}

/**
 * DRF's `media_type_matches(type/subtype, header)` for a parser or renderer type without
 * parameters: the header's parameters are ignored and `*` matches on either side of the slash.
 */
export function mediaTypeMatches(header: DjangoHeader, type: string, subtype: string): boolean {
  const slash = header.key.indexOf('/');
  const main = slash < 0 ? header.key : header.key.slice(0, slash);
  const sub = slash < 0 ? '' : header.key.slice(slash + 1);
  return (sub === '*' || sub === subtype) && (main === '*' || main === type);
}

/**
 * The `charset` parameter of a Content-Type, read as Django's `HttpRequest` reads it (with
 * Python's `cgi.parse_header`, which differs from Django's own parser in quoting and stripping).
 */
export function contentTypeCharset(contentType: string): string | undefined {
  let charset: string | undefined;
  for (const param of splitParams(contentType, true, pythonStrip).slice(1)) {
    const equals = param.indexOf('=');
    if (equals < 0) continue;
    if (pythonStrip(param.slice(0, equals)).toLowerCase() !== 'charset') continue;
    charset = unquoteValue(pythonStrip(param.slice(equals + 1)));
  }
  return charset;
}
