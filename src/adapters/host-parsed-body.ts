import { DEFAULT_SETTINGS } from '../core/config/settings.js';
import { MAX_JSON_DEPTH, tooDeepError } from '../core/drf-compat/json-body.js';
import { pythonJsonError } from '../core/drf-compat/python-json-error.js';
import { ApiError, ParseError, PayloadTooLarge, UnsupportedMediaType } from '../core/errors.js';
import { apiErrorResponse } from '../core/http/api-error-response.js';
import type { ViewRequest } from '../core/http/request.js';
import { BodyCutShort } from '../core/http/request-body.js';
import type { ViewResponse } from '../core/http/view-response.js';

/** A Node request after the host's body parsers (Express's, NestJS's default) had their turn. */
export interface HostParsedRequest {
  /** True once a reader has consumed the body. */
  readonly readableEnded?: boolean;
  /** What `express.json()` or `express.urlencoded()` made of the body. */
  readonly body?: unknown;
  readonly headers?: {
    readonly 'content-type'?: string | undefined;
    readonly 'content-length'?: string | undefined;
  };
}

function isForm(contentType: string | undefined): boolean {
  return /^\s*application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? '');
}

// DRF reads a form through Django's QueryDict, where a repeated field is its last value; Express's
// parsers give all of them as an array.
function lastValues(fields: object): Record<string, unknown> {
  const data: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(fields)) {
    data[name] = Array.isArray(value) && value.length > 0 ? value[value.length - 1] : value;
  }
  return data;
}

/**
 * The body as the host's parser left it, when it consumed the stream first (an app with
 * `app.use(express.json())` before tessera, NestJS's default bodyParser): the core takes it as
 * the parsed data, so a JSON or form login works there too. DRF's own parsing does not run then,
 * so its texts for a malformed body cannot be reproduced: the host has answered first (through
 * `hostParserErrorResponse` when tessera's error handler sees it). A `Buffer` or string body
 * (`express.raw()`, `express.text()`) is no parsed data: the core refuses to read it loudly.
 */
export function hostParsedBody(request: HostParsedRequest): ViewRequest['hostParsedBody'] {
  const { body } = request;
  if (!request.readableEnded || body === undefined || typeof body !== 'object') return undefined;
  if (body === null || body instanceof Uint8Array) return undefined;
  return { data: isForm(request.headers?.['content-type']) ? lastValues(body) : body };
}

// The media types DRF's default parsers read; any other is a 415 whatever the body.
const PARSED_TYPES =
  /^[ \t]*(application\/json|application\/x-www-form-urlencoded|multipart\/form-data)[ \t]*(;|$)/i;

/** The container of `data` that first sits deeper than `MAX_JSON_DEPTH`; iterative, as it may be deep. */
function containerTooDeep(data: unknown): 'array' | 'object' | undefined {
  const pending: [unknown, number][] = [[data, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JSON_DEPTH) return Array.isArray(value) ? 'array' : 'object';
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return undefined;
}

/**
 * What DRF would refuse in a body the host parsed: a declared length over the limit (413), a
 * `Content-Type` DRF reads differently (its last line, where Node's parsers take the first),
 * nesting beyond what Python's `json` decodes. The host's parser cannot see tessera's rules.
 */
function hostBodyRefusal(
  viewRequest: ViewRequest,
  request: HostParsedRequest,
  data: unknown,
  maxBodyBytes: number,
): ApiError | undefined {
  const declared = Number(request.headers?.['content-length'] ?? 0);
  if (declared > maxBodyBytes) return new PayloadTooLarge();
  const contentType = viewRequest.header('content-type') ?? '';
  if (contentType !== (request.headers?.['content-type'] ?? '')) {
    return PARSED_TYPES.test(contentType)
      ? new ParseError()
      : new UnsupportedMediaType(contentType.replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  const tooDeep = containerTooDeep(data);
  return tooDeep ? tooDeepError(tooDeep) : undefined;
}

/**
 * `viewRequest` with the host's parsed body, if the host's parser consumed the stream. A body
 * DRF would refuse (see `hostBodyRefusal`) is refused when the view reads it, with DRF's answer.
 */
export function withHostParsedBody(
  viewRequest: ViewRequest,
  request: HostParsedRequest,
  maxBodyBytes: number = DEFAULT_SETTINGS.maxBodyBytes,
): ViewRequest {
  const parsed = hostParsedBody(request);
  if (!parsed) return viewRequest;
  const refusal = hostBodyRefusal(viewRequest, request, parsed.data, maxBodyBytes);
  // The request's own methods, with the body replaced (a spread would drop its prototype's).
  return {
    method: viewRequest.method,
    remoteAddress: viewRequest.remoteAddress,
    header: (name) => viewRequest.header(name),
    query: (name) => viewRequest.query(name),
    ...(viewRequest.queryAll
      ? { queryAll: (name: string) => viewRequest.queryAll?.(name) ?? [] }
      : {}),
    ...(refusal
      ? { readBody: () => Promise.reject(refusal) }
      : { readBody: () => viewRequest.readBody(), hostParsedBody: parsed }),
  };
}

/** The fields of body-parser's errors (http-errors) that say what went wrong, never the body. */
interface BodyParserError {
  readonly type: string;
  readonly status: number;
  /** The body as text, for a parse failure: read to find Python's message, never rendered. */
  readonly body?: unknown;
}

// body-parser's client errors (raw-body's among them), by their `type`.
const BODY_PARSER_TYPES = new Set([
  'charset.unsupported',
  'encoding.unsupported',
  'entity.parse.failed',
  'entity.too.large',
  'entity.verify.failed',
  'parameters.too.many',
  'request.aborted',
  'request.size.invalid',
  'stream.not.readable',
]);

/**
 * True for body-parser's error on a client that left mid-body: the client's doing, with no one
 * left to answer, so at most a debug line.
 */
export function isHostParserAbort(error: unknown): boolean {
  return isBodyParserError(error) && error.type === 'request.aborted';
}

function isBodyParserError(error: unknown): error is BodyParserError {
  if (typeof error !== 'object' || error === null || error instanceof ApiError) return false;
  const { type, status } = error as { type?: unknown; status?: unknown };
  return (
    typeof type === 'string' &&
    BODY_PARSER_TYPES.has(type) &&
    typeof status === 'number' &&
    status >= 400 &&
    status < 500
  );
}

function parseFailure(error: BodyParserError): ApiError {
  // body-parser's message is V8's, which quotes the body (a password, perhaps): Python's message
  // gives positions only, and is DRF's text for a UTF-8 body.
  const reason = typeof error.body === 'string' ? pythonJsonError(error.body) : undefined;
  return reason === undefined ? new ParseError() : new ParseError(`JSON parse error - ${reason}`);
}

function hostParserError(error: BodyParserError, contentType: string | undefined): ApiError {
  switch (error.type) {
    case 'entity.parse.failed':
      return parseFailure(error);
    case 'entity.too.large':
      return new PayloadTooLarge();
    case 'request.aborted':
      return new BodyCutShort();
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new UnsupportedMediaType(contentType ?? '');
    default:
      return new ParseError();
  }
}

/**
 * DRF's shape for an error of the host's body parser (`express.json()`, NestJS's default): a
 * `{"detail": …}` 4xx that never holds body bytes. It is not reported, so the body body-parser
 * keeps on its error (a password, perhaps) reaches no log. Undefined for any other error.
 * @example
 * hostParserErrorResponse(error, req.headers['content-type']); // 400 {"detail":"JSON parse error - …"}
 */
export function hostParserErrorResponse(
  error: unknown,
  contentType: string | undefined,
): ViewResponse | undefined {
  return isBodyParserError(error)
    ? apiErrorResponse(hostParserError(error, contentType))
    : undefined;
}
