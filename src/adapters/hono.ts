import type { Context, Env, ErrorHandler, Hono, MiddlewareHandler, Schema } from 'hono';
import type { Authenticator } from '../core/auth/authenticator.js';
import { DEFAULT_SETTINGS } from '../core/config/settings.js';
import { headerFromLines } from '../core/drf-compat/header-lines.js';
import { handlerErrorResponse } from '../core/http/api-error-response.js';
import { allQueryParams, lastQueryParam } from '../core/http/query-param.js';
import { reportToConsole } from '../core/http/report-to-console.js';
import type { ViewRequest } from '../core/http/request.js';
import { readRequestBody } from '../core/http/request-body.js';
import { headersToSend } from '../core/http/response-headers.js';
import {
  defineRouteGuard,
  type RouteGuard,
  type RouteGuardOptions,
} from '../core/http/route-guard.js';
import type { View } from '../core/http/view.js';
import type { ViewResponse } from '../core/http/view-response.js';
import type { Token } from '../core/tokens/token.js';
import type { RequestUser } from '../core/users/user.js';
import { type AdapterTessera, authenticationOf, bodyLimitOf } from './adapter-tessera.js';

/**
 * What `protect` sets on the context, as Hono types its variables: an app's own generic rather
 * than a global `ContextVariableMap` augmentation, which would claim `user` in every Hono app
 * of the program, protected or not.
 */
export type TesseraVariables = {
  /** The user tessera authenticated, or Django's anonymous user: `c.get('user')`. */
  user: RequestUser;
  /** The token that authenticated the request, or null (DRF's `request.auth`): `c.get('auth')`. */
  auth: Token | null;
};

/**
 * The environment of an app (or sub-app) whose routes `protect` guards.
 * @example
 * const app = new Hono<TesseraEnv>();
 * app.get('/me/', (c) => c.json({ username: c.get('user').username }));
 */
export type TesseraEnv = { Variables: TesseraVariables };

/** Options every Hono helper of tessera takes. */
export interface HonoOptions {
  /** What `createTessera` returned: its body limit, and `protect`'s default authentication. */
  readonly tessera?: AdapterTessera;
  /** Largest body a handler may read, in bytes (413 beyond). Default the tessera's setting. */
  readonly maxBodyBytes?: number;
  /** Told about every 5xx answer (never given a key or a password). Default `console.error`. */
  readonly reportError?: (error: unknown) => void;
}

/** A DRF declaration for Hono routes: authenticators, permissions, the methods they answer. */
export interface ProtectOptions extends Omit<RouteGuardOptions, 'authentication'>, HonoOptions {
  /** DRF's `authentication_classes`; default `[tessera.tokenAuthentication]`. */
  readonly authentication?: readonly Authenticator[];
}

interface GuardedRequest {
  readonly guard: RouteGuard;
  readonly reportError: (error: unknown) => void;
}

// Which guard a request went through, for `errorHandler` (Allow, WWW-Authenticate, reporting).
// Keyed by the context, which Hono hands every middleware and the error handler alike: a
// middleware may replace `c.req.raw` (`bodyLimit` does, for a chunked body).
const guardedRequests = new WeakMap<Context, GuardedRequest>();

async function* noBody(): AsyncGenerator<Uint8Array> {}

/** The part of Node's request `@hono/node-server` passes in `c.env.incoming`. */
interface NodeIncoming {
  readonly rawHeaders?: readonly string[];
  readonly socket?: { readonly remoteAddress?: string };
}

function nodeIncoming(env: unknown): NodeIncoming | undefined {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  return env.incoming as NodeIncoming | undefined;
}

/**
 * Turns a Hono context into the core's view of the request. On `@hono/node-server` headers come
 * from Node's lines, so a repeated header reads as DRF behind gunicorn reads it (joined with
 * `,`); elsewhere from the Fetch `Request`, whose `Headers.get` joins them with `, ` instead.
 * Both keep bytes up to 0xFF as latin-1 characters.
 */
export function toViewRequest(c: Context, maxBodyBytes?: number): ViewRequest {
  const raw = c.req.raw;
  const incoming = nodeIncoming(c.env);
  const lines = incoming?.rawHeaders;
  return {
    method: raw.method,
    header: lines
      ? (name) => headerFromLines(lines, name)
      : (name) => raw.headers.get(name) ?? undefined,
    query: (name) => lastQueryParam(raw.url, name),
    queryAll: (name) => allQueryParams(raw.url, name),
    readBody() {
      const declared = raw.headers.get('content-length');
      return readRequestBody(
        raw.body ?? noBody(),
        maxBodyBytes ?? DEFAULT_SETTINGS.maxBodyBytes,
        declared === null ? undefined : Number(declared),
      );
    },
    remoteAddress: incoming?.socket?.remoteAddress,
  };
}

/** A core response as a Fetch `Response`; a string body keeps DRF's exact `Content-Type`. */
export function toResponse(response: ViewResponse): Response {
  const body = new TextEncoder().encode(response.body);
  return new Response(body.length === 0 ? null : body, {
    status: response.status,
    // Declared, as on every adapter: a HEAD answer keeps it when Hono drops the body.
    headers: { ...headersToSend(response), 'content-length': String(body.length) },
  });
}

/**
 * Mounts a view on every method of `path` (`app.all`), so DRF's order holds: authentication and
 * permissions answer before a 405, and every answer carries `Allow`. The body is read only when
 * the handler asks, through the core's parsers. Bound slow clients through `serve`'s
 * `serverOptions` (docs/frameworks.md, "Use with your framework").
 * @example
 * mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });
 */
export function mountView<E extends Env, S extends Schema, P extends string>(
  app: Hono<E, S, P>,
  path: string,
  view: View,
  options: HonoOptions = {},
): void {
  const reportError = options.reportError ?? reportToConsole;
  const maxBodyBytes = bodyLimitOf(options.maxBodyBytes, options.tessera);
  app.all(path, async (c) =>
    toResponse(
      await view.handle(toViewRequest(c, maxBodyBytes), {
        params: c.req.param() as Record<string, string>,
        reportError,
      }),
    ),
  );
}

/**
 * Middleware running DRF's checks for Hono's own handlers: `app.use` it on the route's path and
 * list the methods its handlers answer. It sets `c.get('user')`, `c.get('auth')` (typed by
 * `TesseraEnv`) and the `Allow` header; for other methods it answers itself (401/403, OPTIONS
 * metadata, then 405).
 * @example
 * const app = new Hono<TesseraEnv>();
 * app.use('/api/build-trigger/', protect({ tessera, permissions: [IsAuthenticated], methods: ['POST'] }));
 * app.post('/api/build-trigger/', (c) => c.json({ by: c.get('user').username }));
 */
export function protect(options: ProtectOptions): MiddlewareHandler<TesseraEnv> {
  const { tessera, maxBodyBytes, reportError = reportToConsole, ...declaration } = options;
  const guard = defineRouteGuard({
    ...declaration,
    authentication: authenticationOf(declaration.authentication, tessera),
  });
  const bodyLimit = bodyLimitOf(maxBodyBytes, tessera);
  return async (c, next) => {
    const result = await guard.check(toViewRequest(c, bodyLimit), {
      params: c.req.param(),
      reportError,
    });
    if (result.response) return toResponse(result.response);
    c.set('user', result.request.user);
    c.set('auth', result.request.auth);
    guardedRequests.set(c, { guard, reportError });
    c.header('allow', guard.allow);
    await next();
  };
}

/** Hono's `HTTPException`, recognised by shape: it carries its own response. */
function ownResponse(error: Error): Response | undefined {
  const candidate = error as Error & { getResponse?: () => Response };
  return typeof candidate.getResponse === 'function' ? candidate.getResponse() : undefined;
}

/**
 * An `app.onError` handler rendering tessera's `ApiError`s in DRF's shape (`Allow` and
 * `WWW-Authenticate` on protected routes) and any other error on a protected route as DRF's 500;
 * an `HTTPException` with a 4xx status, and errors elsewhere, as Hono's default handler does.
 * @example
 * app.onError(errorHandler());
 */
export function errorHandler(options: Pick<HonoOptions, 'reportError'> = {}): ErrorHandler {
  return (error, c) => {
    const guarded = guardedRequests.get(c);
    // This handler's reporter if it has one, else the route's.
    const reportError = options.reportError ?? guarded?.reportError ?? reportToConsole;
    const answer = handlerErrorResponse(error, guarded?.guard, reportError);
    if (answer) return toResponse(answer);
    const own = ownResponse(error);
    if (own) return own;
    reportError(error);
    return c.text('Internal Server Error', 500);
  };
}
