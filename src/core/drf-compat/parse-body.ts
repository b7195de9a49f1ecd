import { UnsupportedMediaType } from '../errors.js';
import { parseFormBody } from './form-body.js';
import { parseJsonBody } from './json-body.js';
import { contentTypeCharset, mediaTypeMatches, parseDjangoHeader } from './media-type.js';
import { parseMultipartBody } from './multipart-body.js';
import { lookupPythonCodec, type PythonCodec } from './python-codec.js';

/** A body parser a view can accept, as DRF's `JSONParser`, `FormParser`, `MultiPartParser`. */
export type BodyParserName = 'json' | 'form' | 'multipart';

/** The media type each parser accepts (what OPTIONS lists under `parses`). */
export const PARSER_MEDIA_TYPES: Readonly<Record<BodyParserName, string>> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  multipart: 'multipart/form-data',
};

// HTTP servers drop a header's surrounding spaces and tabs (Node and gunicorn alike).
function stripOptionalWhitespace(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

function selectParser(
  contentType: string,
  parsers: readonly BodyParserName[],
): BodyParserName | undefined {
  const parsed = parseDjangoHeader(contentType, false);
  // DRF raises a 500 on a non-ASCII type or parameter name; no parser accepting it is closest.
  if ('error' in parsed) return undefined;
  return parsers.find((parser) => {
    const [type = '', subtype = ''] = PARSER_MEDIA_TYPES[parser].split('/');
    return mediaTypeMatches(parsed.header, type, subtype);
  });
}

// Django's HttpRequest.encoding: the charset parameter when Python knows it, else UTF-8.
function requestCodec(contentType: string): PythonCodec {
  const charset = contentTypeCharset(contentType);
  return (charset !== undefined && lookupPythonCodec(charset)) || 'utf-8';
}

/**
 * DRF's `request.data` (`Request._parse`): an empty body is `{}` whatever its type; otherwise the
 * first of `parsers` whose media type matches the Content-Type parses it (`*` matches, so
 * `*\/*` picks the first), and a body none accepts is a 415 echoing the header. Throws only
 * `ParseError` and `UnsupportedMediaType`.
 * @example
 * parseBody('application/json', new TextEncoder().encode('{"a":1}'), ['json']); // { a: 1 }
 */
export function parseBody(
  contentTypeHeader: string | undefined,
  body: Uint8Array,
  parsers: readonly BodyParserName[],
): unknown {
  if (body.length === 0) return {};
  const contentType = stripOptionalWhitespace(contentTypeHeader ?? '');
  const parser = selectParser(contentType, parsers);
  if (parser === undefined) throw new UnsupportedMediaType(contentType);
  const codec = requestCodec(contentType);
  switch (parser) {
    case 'json':
      return parseJsonBody(body, codec);
    case 'form':
      return parseFormBody(body, codec);
    case 'multipart':
      return parseMultipartBody(contentType, body, codec);
  }
}
