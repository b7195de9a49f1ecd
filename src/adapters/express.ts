import type { ErrorRequestHandler, IRouter, Request, RequestHandler } from 'express';
import { handlerErrorResponse } from '../core/http/api-error-response.js';
import { nodeViewRequest } from '../core/http/node-view-request.js';
import { writeViewResponse } from '../core/http/node-view-response.js';
import { reportToConsole } from '../core/http/report-to-console.js';
import type { ViewRequest } from '../core/http/request.js';
import {
  defineRouteGuard,
  type RouteGuard,
  type RouteGuardOptions,
} from '../core/http/route-guard.js';
import type { View } from '../core/http/view.js';
import type { Token } from '../core/tokens/token.js';
import type { RequestUser } from '../core/users/user.js';

declare global {
  // Express's own extension point for request properties (as @types/passport uses it).
  namespace Express {
    interface Request {
      /** The user tessera authenticated, or Django's anonymous user; set by `protect`. */
      user: RequestUser;
      /** The token that authenticated the request, or null (DRF's `request.auth`). */
      auth: Token | null;
    }
  }
}

/** Options every Express helper of tessera takes. */
export interface ExpressOptions {
  /** Largest body a handler may read, in bytes (413 beyond). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Told about every 5xx answer (never given a key or a password). Default `console.error`. */
  readonly reportError?: (error: unknown) => void;
}

/** A DRF declaration for Express routes: authenticators, permissions, the methods they answer. */
export interface ProtectOptions extends RouteGuardOptions, ExpressOptions {}

interface GuardedRequest {
  readonly guard: RouteGuard;
  readonly reportError: (error: unknown) => void;
}

// Which guard a request went through, for `errorHandler` (Allow, WWW-Authenticate, reporting).
const guardedRequests = new WeakMap<Request, GuardedRequest>();

/** Route parameters as strings: Express 5 gives a wildcard's segments as an array. */
function routeParams(request: Request): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.params)) {
    params[name] = Array.isArray(value) ? value.join('/') : value;
  }
  return params;
}

function toViewRequest(request: Request, maxBodyBytes: number | undefined): ViewRequest {
  // `originalUrl`: a router mounted under a prefix sees a shortened `url`.
  return nodeViewRequest(request, {
    maxBodyBytes,
    remoteAddress: request.ip,
    url: request.originalUrl,
  });
}

/**
 * Mounts a view on every method of `path` (`router.all`), so DRF's order holds: authentication
 * and permissions answer before a 405, and every answer carries `Allow`. The body is read only
 * when the handler asks, through the core's parsers: mount views before `express.json()`. Bound
 * slow clients on the server `app.listen` returns (README, "Use with your framework").
 * @example
 * mountView(app, '/api-token-auth/', obtainTokenView({ store, passwords, clock, loginTokenLimit: 10 }));
 */
export function mountView(
  router: IRouter,
  path: string,
  view: View,
  options: ExpressOptions = {},
): void {
  const reportError = options.reportError ?? reportToConsole;
  router.all(path, async (request, response) => {
    const answer = await view.handle(toViewRequest(request, options.maxBodyBytes), {
      params: routeParams(request),
      reportError,
    });
    writeViewResponse(response, answer);
  });
}

/**
 * Middleware running DRF's checks for Express's own handlers: use it with `all` on the route's
 * path, and list the methods its handlers answer. It sets `req.user` and `req.auth` and the
 * `Allow` header; for other methods it answers itself (401/403, OPTIONS metadata, then 405).
 * @example
 * app.route('/api/build-trigger/')
 *   .all(protect({ authentication: [tokenAuthentication], permissions: [IsAuthenticated], methods: ['POST'] }))
 *   .post((req, res) => { res.status(200).end(); });
 */
export function protect(options: ProtectOptions): RequestHandler {
  const { maxBodyBytes, reportError = reportToConsole, ...declaration } = options;
  const guard = defineRouteGuard(declaration);
  return async (request, response, next) => {
    const result = await guard.check(toViewRequest(request, maxBodyBytes), {
      params: routeParams(request),
      reportError,
    });
    if (result.response) {
      writeViewResponse(response, result.response);
      return;
    }
    request.user = result.request.user;
    request.auth = result.request.auth;
    guardedRequests.set(request, { guard, reportError });
    response.setHeader('allow', guard.allow);
    next();
  };
}

/**
 * An error handler rendering tessera's `ApiError`s in DRF's shape (`{"detail": …}`, exact
 * `Content-Type`, `Allow` and `WWW-Authenticate` on protected routes), and any other error on a
 * protected route as DRF's 500. Errors with a 4xx `status` of their own (body-parser's) and
 * errors elsewhere go on to the next error handler.
 * @example
 * app.use(errorHandler());
 */
export function errorHandler(
  options: Pick<ExpressOptions, 'reportError'> = {},
): ErrorRequestHandler {
  return (error, request, response, next) => {
    const guarded = guardedRequests.get(request);
    // This handler's reporter if it has one, else the route's.
    const reportError = options.reportError ?? guarded?.reportError ?? reportToConsole;
    const answer = response.headersSent
      ? undefined
      : handlerErrorResponse(error, guarded?.guard, reportError);
    if (answer) writeViewResponse(response, answer);
    else next(error);
  };
}
