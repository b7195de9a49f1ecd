import { ApiError } from '../errors.js';
import type { RouteGuard } from './route-guard.js';
import { errorResponse, type ViewResponse } from './view-response.js';

/**
 * Renders an `ApiError` raised outside any tessera view (a framework-native route without a
 * guard, an unknown path) in DRF's shape. No view means no authenticator, so a 401 becomes 403
 * as in DRF, and there is no `Allow` to send.
 * @example
 * apiErrorResponse(new NotFound()); // 404 {"detail":"Not found."}
 */
export function apiErrorResponse(error: ApiError): ViewResponse {
  const response = errorResponse(error, '', undefined);
  const { allow: _allow, ...headers } = response.headers;
  return { ...response, headers };
}

/** A framework's own client error (Fastify's 415, body-parser's 400, Hono's `HTTPException`). */
function isFrameworkClientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof statusCode === 'number' ? statusCode : status;
  return typeof code === 'number' && code >= 400 && code < 500;
}

/**
 * DRF's answer to an error a framework-native handler threw, for adapters' error handlers. An
 * `ApiError` is rendered as DRF does (through the route's guard: `Allow`, `WWW-Authenticate`);
 * on a guarded route any other error is DRF's generic 500, unless it is the framework's own
 * client error. Undefined leaves the error to the framework. 5xx are reported.
 */
export function handlerErrorResponse(
  error: unknown,
  guard: RouteGuard | undefined,
  reportError: (error: unknown) => void,
): ViewResponse | undefined {
  if (error instanceof ApiError && !guard) {
    const response = apiErrorResponse(error);
    if (response.status >= 500) reportError(error);
    return response;
  }
  if (!guard || (!(error instanceof ApiError) && isFrameworkClientError(error))) return undefined;
  return guard.view.renderError(error, reportError);
}
