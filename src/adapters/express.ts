import type { ErrorRequestHandler, IRouter, Request, RequestHandler } from 'express';
import type { Authenticator } from '../core/auth/authenticator.js';
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
import {
  type AdapterTessera,
  authenticationOf,
  bodyLimitOf,
  warnOfHostProxyTrust,
} from './adapter-tessera.js';
import { hostParserErrorResponse, withHostParsedBody } from './host-parsed-body.js';
import type { TesseraRequestState } from './request-state.js';

declare global {
  // Express's own extension point for request properties. tessera's answer lives under its own
  // name rather than `user`: @types/passport declares `Request.user?: Express.User`, and two
  // declarations of one property with different types do not compile together.
  namespace Express {
    interface Request {
      /** Who the request is (`user`, `auth`); set by `protect` on the routes it guards. */
      tessera: TesseraRequestState;
    }
  }
}

export type { TesseraRequestState } from './request-state.js';

/** Options every Express helper of tessera takes. */
export interface ExpressOptions {
  /** What `createTessera` returned: its body limit, and `protect`'s default authentication. */
  readonly tessera?: AdapterTessera;
  /** Largest body a handler may read, in bytes (413 beyond). Default the tessera's setting. */
  readonly maxBodyBytes?: number;
  /** Told about every 5xx answer (never given a key or a password). Default `console.error`. */
  readonly reportError?: (error: unknown) => void;
}

/** A DRF declaration for Express routes: authenticators, permissions, the methods they answer. */
export interface ProtectOptions extends Omit<RouteGuardOptions, 'authentication'>, ExpressOptions {
  /** DRF's `authentication_classes`; default `[tessera.tokenAuthentication]`. */
  readonly authentication?: readonly Authenticator[];
}

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
  // The peer address, never `req.ip`: with `trust proxy`, that is whatever X-Forwarded-For says,
  // and tessera's own rule (settings.numProxies) decides which entry to believe.
  warnOfHostProxyTrust(
    request.app,
    "Express's `trust proxy`",
    request.app.get('trust proxy'),
    (message) => console.warn(message),
  );
  // `originalUrl`: a router mounted under a prefix sees a shortened `url`.
  const viewRequest = nodeViewRequest(request, { maxBodyBytes, url: request.originalUrl });
  // `app.use(express.json())` before tessera: the parsed body is the data (see hostParsedBody).
  return withHostParsedBody(viewRequest, request, maxBodyBytes);
}

/**
 * Mounts a view on every method of `path` (`router.all`), so DRF's order holds: authentication
 * and permissions answer before a 405, and every answer carries `Allow`. The body is read only
 * when the handler asks, through the core's parsers, as DRF parses it; after `express.json()` or
 * `express.urlencoded()`, the body they parsed is taken as it is. Bound slow clients on the
 * server `app.listen` returns (docs/frameworks.md, "Use with your framework").
 * @example
 * mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });
 */
export function mountView(
  router: IRouter,
  path: string,
  view: View,
  options: ExpressOptions = {},
): void {
  const reportError = options.reportError ?? reportToConsole;
  const maxBodyBytes = bodyLimitOf(options.maxBodyBytes, options.tessera);
  router.all(path, async (request, response) => {
    const answer = await view.handle(toViewRequest(request, maxBodyBytes), {
      params: routeParams(request),
      reportError,
    });
    writeViewResponse(response, answer);
  });
}

/**
 * Middleware running DRF's checks for Express's own handlers: use it with `all` on the route's
 * path, and list the methods its handlers answer. It sets `req.tessera` (`user`, `auth`) and
 * the `Allow` header; for other methods it answers itself (401/403, OPTIONS metadata, then 405).
 * @example
 * app.route('/api/build-trigger/')
 *   .all(protect({ tessera, permissions: [IsAuthenticated], methods: ['POST'] }))
 *   .post((req, res) => { res.json({ by: req.tessera.user.username }); });
 */
export function protect(options: ProtectOptions): RequestHandler {
  const { tessera, maxBodyBytes, reportError = reportToConsole, ...declaration } = options;
  const guard = defineRouteGuard({
    ...declaration,
    authentication: authenticationOf(declaration.authentication, tessera),
  });
  const bodyLimit = bodyLimitOf(maxBodyBytes, tessera);
  return async (request, response, next) => {
    const result = await guard.check(toViewRequest(request, bodyLimit), {
      params: routeParams(request),
      reportError,
    });
    if (result.response) {
      writeViewResponse(response, result.response);
      return;
    }
    request.tessera = { user: result.request.user, auth: result.request.auth };
    guardedRequests.set(request, { guard, reportError });
    response.setHeader('allow', guard.allow);
    next();
  };
}

/**
 * An error handler rendering tessera's `ApiError`s in DRF's shape (`{"detail": …}`, exact
 * `Content-Type`, `Allow` and `WWW-Authenticate` on protected routes), and any other error on a
 * protected route as DRF's 500. body-parser's errors (`express.json()` on a malformed body) are
 * DRF's 400/413/415 without body bytes, and never reported: body-parser keeps the body on them.
 * Other errors with a 4xx `status` of their own, and errors elsewhere, go on to the next handler.
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
      : (hostParserErrorResponse(error, request.headers['content-type']) ??
        handlerErrorResponse(error, guarded?.guard, reportError));
    if (answer) writeViewResponse(response, answer);
    else next(error);
  };
}
