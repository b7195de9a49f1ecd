import { ParseError } from '../errors.js';
import { sanitizeFileName } from './file-name.js';
import { MAX_FORM_FIELDS, TOO_MANY_FIELDS } from './form-body.js';
import { type HeaderParam, parseDjangoHeader } from './media-type.js';
import { decodeBase64Lenient } from './python-base64.js';
import { binaryToBytes, decodeReplace, latin1, type PythonCodec } from './python-codec.js';
import { pythonLength, pythonStrip } from './python-strings.js';
import { UploadedFile } from './uploaded-file.js';

/** Django's `DATA_UPLOAD_MAX_NUMBER_FILES` default. */
export const MAX_MULTIPART_FILES = 100;

/** Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` default, which caps the text fields of a multipart body. */
export const MAX_MULTIPART_FIELD_BYTES = 2.5 * 1024 * 1024;

const TOO_MANY_FILES = 'The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.';
const DATA_TOO_BIG = 'Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.';

// Django reads a part's headers from its first 1024 bytes only.
const MAX_HEADER_BYTES = 1024;

// cgi.valid_boundary; Python's `$` also matches before one final newline.
const VALID_BOUNDARY = /^[ -~]{0,200}[!-~]\n?$/;

function multipartError(reason: string): ParseError {
  return new ParseError(`Multipart form parse error - ${reason}`);
}

// force_str(value, charset, errors='replace') of a header parameter.
function paramText(param: HeaderParam, codec: PythonCodec): string {
  return param.isText ? param.value : decodeReplace(binaryToBytes(param.value), codec);
}

// `.strip()` of a parameter: bytes.strip() on raw bytes, str.strip() on decoded text.
function paramStrip(param: HeaderParam): HeaderParam {
  const value = param.isText
    ? pythonStrip(param.value)
    : param.value.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
  return { value, isText: param.isText };
}

interface PartHeader {
  readonly value: string;
  readonly params: ReadonlyMap<string, HeaderParam>;
}

type Part =
  | { readonly kind: 'raw' }
  | { readonly kind: 'field' | 'file'; readonly headers: ReadonlyMap<string, PartHeader> };

// parse_boundary_stream: headers end at the first CRLFCRLF within the first 1024 bytes; a part
// with none, or with no Content-Disposition line, is raw and ignored.
function readPartHeaders(headerBlock: string): Part {
  let kind: 'raw' | 'field' | 'file' = 'raw';
  const headers = new Map<string, PartHeader>();
  for (const line of headerBlock.split('\r\n')) {
    const parsed = parseDjangoHeader(line, true);
    if ('error' in parsed) {
      // A ValueError skips the line; an unknown RFC 2231 charset is a LookupError that Django
      // does not catch (a 500 there).
      if (parsed.error === 'lookup') throw multipartError('Invalid header charset.');
      continue;
    }
    const colon = parsed.header.key.indexOf(':');
    if (colon < 0) continue;
    const name = parsed.header.key.slice(0, colon);
    if (name === 'content-disposition') {
      kind = parsed.header.params.get('filename')?.value ? 'file' : 'field';
    }
    headers.set(name, { value: parsed.header.key.slice(colon + 1), params: parsed.header.params });
  }
  return kind === 'raw' ? { kind } : { kind, headers };
}

/**
 * DRF's `MultiPartParser` (Django 3.2's `MultiPartParser`), with its quirks kept: parts are what
 * lies between occurrences of `--boundary` (the preamble and epilogue too, which only count when
 * they hold headers), one `\n` then one `\r` before a boundary are dropped, a part with an empty
 * `filename` is a text field, and file parts replace text fields of the same name, as
 * `request.data` merges `request.FILES`. Text fields keep their last value.
 * @example
 * parseMultipartBody('multipart/form-data; boundary=b', body, 'utf-8'); // { username: 'ada' }
 */
export function parseMultipartBody(
  contentType: string,
  body: Uint8Array,
  codec: PythonCodec,
): Record<string, string | UploadedFile> {
  // Django's own check is case-sensitive, after DRF's case-insensitive choice of this parser.
  if (!contentType.startsWith('multipart/')) {
    throw multipartError(`Invalid Content-Type: ${contentType}`);
  }
  if (/[\u0080-\uffff]/.test(contentType)) {
    throw multipartError(`Invalid non-ASCII Content-Type in multipart: ${contentType}`);
  }
  const parsed = parseDjangoHeader(contentType, true);
  if ('error' in parsed) throw multipartError(`Invalid Content-Type: ${contentType}`);
  const boundary = parsed.header.params.get('boundary')?.value;
  if (!boundary || !VALID_BOUNDARY.test(boundary)) {
    throw multipartError(`Invalid boundary in multipart: ${boundary ?? 'None'}`);
  }

  // One character per byte, so the boundary and header searches run on V8's string search.
  const binary = latin1(body);
  const separator = `--${boundary}`;
  const fields: [string, string][] = [];
  const files: [string, UploadedFile][] = [];
  let fieldOrRawParts = 0;
  let fileParts = 0;
  let fieldBytes = 0;
  // Django stores a file when the next part begins, and only under a non-empty name: a file in
  // the last part (no byte after its closing boundary) or with an empty name is never stored.
  let pendingFile: [string, UploadedFile] | undefined;

  for (let start = 0; start < binary.length; ) {
    const found = binary.indexOf(separator, start);
    let end = found < 0 ? binary.length : found;
    if (found >= 0) {
      if (end > start && binary[end - 1] === '\n') end--;
      if (end > start && binary[end - 1] === '\r') end--;
    }
    const headerEnd = binary
      .slice(start, Math.min(end, start + MAX_HEADER_BYTES))
      .indexOf('\r\n\r\n');
    const part: Part =
      headerEnd < 0 ? { kind: 'raw' } : readPartHeaders(binary.slice(start, start + headerEnd));
    const data = body.subarray(start + headerEnd + 4, end);
    start = found < 0 ? binary.length : found + separator.length;
    if (pendingFile) files.push(pendingFile);
    pendingFile = undefined;

    if (part.kind !== 'file') {
      // Django allows two more, for the preamble and the epilogue.
      fieldOrRawParts++;
      if (fieldOrRawParts > MAX_FORM_FIELDS + 2) throw new ParseError(TOO_MANY_FIELDS);
    }
    if (part.kind === 'raw') continue;
    const disposition = part.headers.get('content-disposition');
    const nameParam = disposition?.params.get('name');
    if (!nameParam) continue;
    const fieldName = paramText(paramStrip(nameParam), codec);
    const base64 =
      pythonStrip(part.headers.get('content-transfer-encoding')?.value ?? '') === 'base64';

    if (part.kind === 'field') {
      // A field that is not valid base64 keeps its raw bytes.
      const value = (base64 && decodeBase64Lenient(data)) || data;
      fieldBytes += data.length + pythonLength(fieldName) + 2;
      if (fieldBytes > MAX_MULTIPART_FIELD_BYTES) throw new ParseError(DATA_TOO_BIG);
      fields.push([fieldName, decodeReplace(value, codec)]);
      continue;
    }

    fileParts++;
    if (fileParts > MAX_MULTIPART_FILES) throw new ParseError(TOO_MANY_FILES);
    const fileNameParam = disposition?.params.get('filename');
    const fileName = fileNameParam && sanitizeFileName(paramText(fileNameParam, codec));
    if (!fileName) continue;
    let size = data.length;
    if (base64) {
      // Django decodes file data in blocks of four alphabet characters, whitespace removed,
      // and refuses leftovers or a block binascii cannot decode.
      const stripped = latin1(data).replace(/[ \t\n\r\v\f]+/g, '');
      const aligned = stripped.length - (stripped.length % 4);
      const decoded =
        aligned > 0 ? decodeBase64Lenient(binaryToBytes(stripped.slice(0, aligned))) : undefined;
      if (aligned !== stripped.length || (aligned > 0 && !decoded)) {
        throw multipartError('Could not decode base64 data.');
      }
      size = decoded?.length ?? 0;
    }
    const fileType = pythonStrip(part.headers.get('content-type')?.value ?? '');
    if (fieldName !== '') pendingFile = [fieldName, new UploadedFile(fileName, fileType, size)];
  }

  const result: Record<string, string | UploadedFile> = Object.create(null);
  for (const [name, value] of fields) result[name] = value;
  for (const [name, file] of files) result[name] = file;
  return result;
}
