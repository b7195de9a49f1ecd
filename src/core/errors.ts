/**
 * DRF's API exceptions: a status, a stable code and the exact detail text DRF sends.
 * A detail never contains a key or a password; callers pass fixed texts.
 */
export type ErrorDetail =
  | string
  | readonly string[]
  | { readonly [field: string]: readonly string[] };

/** Base class of every error tessera renders as an HTTP answer (DRF's `APIException`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: ErrorDetail;

  constructor(status: number, code: string, detail: ErrorDetail) {
    // A 4xx is an answer to the client, not a fault, so it captures no stack trace: walking a
    // request's async frames cost about 14 µs per refusal on the benchmark machine, more than
    // the rest of the refusal. A 5xx keeps its stack for the error log.
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(typeof detail === 'string' ? detail : code);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

// ApiError's own fields, writable, for `freshCopy` to set on an object made without a constructor.
type Fields = { -readonly [Field in 'status' | 'code' | 'detail' | 'name']: ApiError[Field] };

/**
 * A new error reading as `template` (an `ApiError` adding no fields of its own), for a refusal a
 * client can ask for at will: an object whose prototype is the template, holding its status,
 * code, detail and name as its own properties (`Object.keys` and JSON read as a constructed
 * error's) and reading `message` and `stack` through to it. It is an instance of the template's
 * class, and what is set on it stays on it; only `util.types.isNativeError` tells it apart. On the
 * benchmark machine V8's Error constructor and the throw of a native error never thrown before
 * took about 700 ns, more than the rest of a malformed key's refusal, throw included.
 */
export function freshCopy<T extends ApiError>(template: T): T {
  const copy = Object.create(template) as Fields;
  copy.status = template.status;
  copy.code = template.code;
  copy.detail = template.detail;
  copy.name = template.name;
  return copy as unknown as T;
}

/** 401 (or 403, see `errorResponse`): the credentials presented were bad. */
export class AuthenticationFailed extends ApiError {
  constructor(detail = 'Incorrect authentication credentials.', code = 'authentication_failed') {
    super(401, code, detail);
  }
}

/** 401 (or 403): no credentials were presented and the permission needs some. */
export class NotAuthenticated extends ApiError {
  constructor(detail = 'Authentication credentials were not provided.') {
    super(401, 'not_authenticated', detail);
  }
}

/** 403: authenticated, but not allowed. */
export class PermissionDenied extends ApiError {
  constructor(
    detail = 'You do not have permission to perform this action.',
    code = 'permission_denied',
  ) {
    super(403, code, detail);
  }
}

/** 404 `Not found.` */
export class NotFound extends ApiError {
  constructor(detail = 'Not found.') {
    super(404, 'not_found', detail);
  }
}

/** 405, raised only after authentication, permissions and throttles have passed (DRF order). */
export class MethodNotAllowed extends ApiError {
  constructor(method: string) {
    super(405, 'method_not_allowed', `Method "${method}" not allowed.`);
  }
}

/** 406: nothing tessera renders (JSON) matches the `Accept` header. */
export class NotAcceptable extends ApiError {
  constructor() {
    super(406, 'not_acceptable', 'Could not satisfy the request Accept header.');
  }
}

/** 413: the body is larger than the configured limit (Django answers 400 here). */
export class PayloadTooLarge extends ApiError {
  constructor() {
    super(413, 'payload_too_large', 'Request body is too large.');
  }
}

/** 415 for a body no parser of the view accepts. */
export class UnsupportedMediaType extends ApiError {
  constructor(mediaType: string) {
    super(415, 'unsupported_media_type', `Unsupported media type "${mediaType}" in request.`);
  }
}

/** 400 for a body that its parser cannot read. */
export class ParseError extends ApiError {
  constructor(detail = 'Malformed request.') {
    super(400, 'parse_error', detail);
  }
}

/** 400 with DRF's field-error shape, e.g. `{"password":["This field is required."]}`. */
export class ValidationError extends ApiError {
  constructor(detail: { readonly [field: string]: readonly string[] } | readonly string[]) {
    super(400, 'invalid', detail);
  }
}

/** 429; `wait` (seconds) becomes `Retry-After` and the detail's "Expected available in N seconds." */
export class Throttled extends ApiError {
  readonly wait: number | null;

  constructor(wait: number | null = null) {
    const seconds = wait === null ? null : Math.ceil(wait);
    const tail =
      seconds === null
        ? ''
        : ` Expected available in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`;
    super(429, 'throttled', `Request was throttled.${tail}`);
    this.wait = seconds;
  }
}

/** 503: a store or another service tessera depends on did not answer; never `Invalid token.`. */
export class ServiceUnavailable extends ApiError {
  constructor(detail = 'Service temporarily unavailable.') {
    super(503, 'service_unavailable', detail);
  }
}

/** 500 rendered for errors that are not API errors (DRF's `handler500` text kept generic). */
export class ServerError extends ApiError {
  constructor() {
    super(500, 'error', 'A server error occurred.');
  }
}
