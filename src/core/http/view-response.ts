import { type ApiError, AuthenticationFailed, NotAuthenticated, Throttled } from '../errors.js';

/** What a view answers, ready for any framework to send. `body` is '' for no body. */
export interface ViewResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** DRF's `JSONRenderer` output: compact JSON, non-ASCII kept, `application/json`. */
export function jsonResponse(
  status: number,
  data: unknown,
  allow: string,
  extraHeaders?: Readonly<Record<string, string>>,
): ViewResponse {
  const headers: Record<string, string> = { ...extraHeaders, allow };
  // DRF renders `Response()` and `Response(None)` as an empty body without a Content-Type.
  if (data === undefined || data === null) return { status, headers, body: '' };
  headers['content-type'] = 'application/json';
  return { status, headers, body: JSON.stringify(data) };
}

/**
 * Renders an API error as DRF's exception handler does. For authentication errors the
 * `WWW-Authenticate` value comes from the view's first authenticator; without one the status
 * becomes 403 and the detail is kept (DRF's `handle_exception`).
 */
export function errorResponse(
  error: ApiError,
  allow: string,
  authenticateHeader: string | undefined,
): ViewResponse {
  const headers: Record<string, string> = {};
  let status = error.status;
  if (error instanceof NotAuthenticated || error instanceof AuthenticationFailed) {
    if (authenticateHeader) headers['www-authenticate'] = authenticateHeader;
    else status = 403;
  }
  if (error instanceof Throttled && error.wait) headers['retry-after'] = String(error.wait);
  const body = typeof error.detail === 'string' ? { detail: error.detail } : error.detail;
  return jsonResponse(status, body, allow, headers);
}
