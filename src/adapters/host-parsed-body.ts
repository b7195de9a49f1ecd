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
  readonly headers?: { readonly 'content-type'?: string | undefined };
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

/** `viewRequest` with the host's parsed body, if the host's parser consumed the stream. */
export function withHostParsedBody(
  viewRequest: ViewRequest,
  request: HostParsedRequest,
): ViewRequest {
  const parsed = hostParsedBody(request);
  return parsed ? { ...viewRequest, hostParsedBody: parsed } : viewRequest;
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
