import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  RouteOptions,
} from 'fastify';
import type { Authenticator } from '../core/auth/authenticator.js';
import { handlerErrorResponse } from '../core/http/api-error-response.js';
import { nodeViewRequest } from '../core/http/node-view-request.js';
import { pathOf } from '../core/http/query-param.js';
import type { Request, ViewRequest } from '../core/http/request.js';
import { headersToSend } from '../core/http/response-headers.js';
import {
  defineRouteGuard,
  type GuardResult,
  type RouteGuard,
  type RouteGuardOptions,
} from '../core/http/route-guard.js';
import type { View } from '../core/http/view.js';
import type { ViewResponse } from '../core/http/view-response.js';
import { isPromiseLike } from '../core/maybe-promise.js';
import type { Token } from '../core/tokens/token.js';
import { ANONYMOUS_USER, type RequestUser } from '../core/users/user.js';
import {
  type AdapterTessera,
  authenticationOf,
  bodyLimitOf,
  refuseBareStore,
  warnOfHostProxyTrust,
} from './adapter-tessera.js';

/** A route's DRF declaration, given as its `config.tessera`; methods come from the route. */
export type RouteDeclaration = Omit<RouteGuardOptions, 'methods'>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The user tessera authenticated, or Django's anonymous user (with the `tessera` plugin). */
    readonly user: RequestUser;
    /** The token that authenticated the request, or null (DRF's `request.auth`). */
    readonly auth: Token | null;
  }
  interface FastifyContextConfig {
    /** DRF's checks for this route, run in `onRequest` by the `tessera` plugin. */
    tessera?: RouteDeclaration;
  }
}

/** Options of `mountView`. */
export interface MountOptions {
  /** What `createTessera` returned: its body limit (`settings.maxBodyBytes`). */
  readonly tessera?: AdapterTessera;
  /** Largest body a handler may read, in bytes (413 beyond). Default the tessera's setting. */
  readonly maxBodyBytes?: number;
}

/** Turns a Fastify request into the core's view of it; the body is read from the raw stream. */
export function toViewRequest(request: FastifyRequest, maxBodyBytes?: number): ViewRequest {
  // The peer address, never `request.ip`: with `trustProxy`, that is whatever X-Forwarded-For
  // says, and tessera's own rule (settings.numProxies) decides which entry to believe. Fastify
  // keeps its options private: a forwarded address differing from the peer's tells.
  if (request.ip !== request.raw.socket?.remoteAddress) {
    warnOfHostProxyTrust(request.server, "Fastify's `trustProxy`", true, (message) =>
      request.log.warn(message),
    );
  }
  return nodeViewRequest(request.raw, { maxBodyBytes, url: request.url });
}

/** Sends a core response through Fastify. */
export function sendViewResponse(reply: FastifyReply, response: ViewResponse): FastifyReply {
  reply.code(response.status).headers(headersToSend(response));
  // A Buffer keeps DRF's exact `Content-Type: application/json`; for a string Fastify would
  // append `; charset=utf-8`.
  return response.body === '' ? reply.send() : reply.send(Buffer.from(response.body));
}

function reporterFor(request: FastifyRequest): (error: unknown) => void {
  return (error) => request.log.error({ err: error }, 'tessera: view failed');
}

/**
 * Mounts a view on every method of `path`, so DRF's order holds: authentication and permissions
 * answer before a 405, and every answer carries `Allow`. The view runs in `onRequest`, before
 * Fastify parses any body; a handler reads the body through the core's parsers.
 * @example
 * mountView(app, '/api-token-auth/', tessera.views.obtainToken, { tessera });
 */
export function mountView(
  app: FastifyInstance,
  path: string,
  view: View,
  options: MountOptions = {},
): void {
  const maxBodyBytes = bodyLimitOf(options.maxBodyBytes, options.tessera);
  app.all(path, {
    // Callback style, and `done` is never called: the view answers every request, at once when
    // it can (a token cache hit), so a cached request costs no promise here.
    onRequest(request, reply) {
      const response = view.handle(toViewRequest(request, maxBodyBytes), {
        params: request.params as Record<string, string>,
        reportError: reporterFor(request),
      });
      if (!isPromiseLike(response)) return void sendViewResponse(reply, response);
      response
        .then((answer) => sendViewResponse(reply, answer))
        .catch((error: unknown) => reply.send(error));
    },
    // Never reached: onRequest always answers.
    handler: async (_request, reply) => reply,
  });
}

/** Options of the `tessera` plugin. */
export interface TesseraPluginOptions {
  /**
   * What `createTessera` returned: routes that name no authenticators use its token
   * authentication (key-guessing limit, cache, events, last-used records); its body limit.
   */
  readonly tessera?: AdapterTessera;
  /** Authenticators of routes that name none; default `[tessera.tokenAuthentication]`. */
  readonly authentication?: readonly Authenticator[];
  /** Largest body a handler may read through the core, in bytes. Default the tessera's setting. */
  readonly maxBodyBytes?: number;
}

/** Every route declared on one path: their methods and the declaration unrouted methods use. */
interface DeclaredPath {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
  readonly declaration: RouteDeclaration;
  fallback?: RouteGuard;
}

const TESSERA_HOOK = Symbol('tessera onRequest');

/** A callback-style hook's `done`: on to the next step, or to the error handler with an error. */
type HookDone = (error?: Error) => void;

/** `/tokens/:id/` as a regular expression over request paths; `*` matches the rest. */
function pathPattern(url: string): RegExp {
  const source = url
    .split(/(:[^/]+|\*)/)
    .map((part) =>
      part === '*'
        ? '.*'
        : part.startsWith(':')
          ? '[^/]+'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * DRF reads an empty body as no data whatever its `Content-Type`, where Fastify's JSON parser
 * refuses one (`FST_ERR_CTP_EMPTY_JSON_BODY`) before the handler runs: on a guarded route, an
 * empty body's type is dropped, so Fastify sees a request without a body. tessera itself reads
 * headers from the lines as received, which keep it.
 */
function forgetEmptyBodyType(request: FastifyRequest): void {
  const { headers } = request.raw;
  if (headers['transfer-encoding'] === undefined && headers['content-length'] === '0') {
    delete headers['content-type'];
  }
}

function hookList(hooks: RouteOptions['onRequest']): onRequestHookHandler[] {
  if (hooks === undefined) return [];
  return (Array.isArray(hooks) ? hooks : [hooks]) as onRequestHookHandler[];
}

async function tesseraPlugin(app: FastifyInstance, options: TesseraPluginOptions): Promise<void> {
  refuseBareStore(options, 'the Fastify plugin');
  const maxBodyBytes = bodyLimitOf(options.maxBodyBytes, options.tessera);
  const defaultAuthentication = authenticationOf(options.authentication, options.tessera);
  const checked = new WeakMap<FastifyRequest, Request>();
  const guards = new WeakMap<FastifyRequest, RouteGuard>();
  const paths = new Map<string, DeclaredPath>();

  app.decorateRequest('user', {
    getter(this: FastifyRequest) {
      return checked.get(this)?.user ?? ANONYMOUS_USER;
    },
  });
  app.decorateRequest('auth', {
    getter(this: FastifyRequest) {
      return checked.get(this)?.auth ?? null;
    },
  });

  const guardFor = (declaration: RouteDeclaration, declared: DeclaredPath): RouteGuard =>
    defineRouteGuard({
      authentication: defaultAuthentication,
      ...declaration,
      // Read on first use, when every route of the path has been declared.
      methods: [...declared.methods],
    });

  // Runs a guard in a callback-style hook: `done` goes on to the route's handler; a refusal is
  // sent instead. A guard that answered at once (a token cache hit) costs no promise.
  function runGuard(
    guard: RouteGuard,
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookDone,
  ): void {
    const result = guard.check(toViewRequest(request, maxBodyBytes), {
      params: request.params as Record<string, string>,
      reportError: reporterFor(request),
    });
    const settle = (decided: GuardResult): void => {
      if (decided.response) return void sendViewResponse(reply, decided.response);
      checked.set(request, decided.request);
      guards.set(request, guard);
      reply.header('allow', guard.allow);
      forgetEmptyBodyType(request);
      done();
    };
    if (isPromiseLike(result)) result.then(settle).catch(done);
    else settle(result);
  }

  app.addHook('onRoute', (route) => {
    const declaration = route.config?.tessera;
    if (!declaration) return;
    const existing = hookList(route.onRequest);
    if (existing.some((hook) => TESSERA_HOOK in hook)) return;
    let declared = paths.get(route.url);
    if (!declared) {
      declared = { pattern: pathPattern(route.url), methods: new Set(), declaration };
      paths.set(route.url, declared);
    }
    for (const method of [route.method].flat()) declared.methods.add(method);
    const path = declared;
    let guard: RouteGuard | undefined;
    const hook = Object.assign(
      (request: FastifyRequest, reply: FastifyReply, done: HookDone) => {
        guard ??= guardFor(declaration, path);
        runGuard(guard, request, reply, done);
      },
      { [TESSERA_HOOK]: true },
    );
    // DRF's checks come first: nothing else about the request should run for a 401.
    route.onRequest = [hook, ...existing];
    route.errorHandler ??= (error: FastifyError, request, reply) => {
      if (request.raw.socket?.destroyed === true) {
        // The client left (mid-body, as a rule): its doing, with no one left to answer.
        request.log.debug({ code: error.code }, 'tessera: client left');
        return reply.hijack();
      }
      const answer = handlerErrorResponse(error, guards.get(request), reporterFor(request));
      // Not tessera's to answer (Fastify's own 4xx): the instance's error handler takes it.
      if (!answer) throw error;
      return sendViewResponse(reply, answer);
    };
  });

  // Fastify answers an unrouted method of a declared path with 404; DRF authenticates first,
  // then answers 405 with `Allow`.
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404 || paths.size === 0) return done();
    const path = pathOf(request.url);
    for (const declared of paths.values()) {
      if (!declared.pattern.test(path)) continue;
      declared.fallback ??= guardFor(declared.declaration, declared);
      return runGuard(declared.fallback, request, reply, done);
    }
    done();
  });
}

/**
 * Fastify plugin: `request.user` and `request.auth` on every request, and DRF's checks in
 * `onRequest` (before any body parsing) for each route declaring `config.tessera`. A declared
 * path answers its other methods too: authentication first, then 405 with `Allow`. Fastify leaves
 * Node's whole-request timeout off: set `requestTimeout`, `connectionTimeout` and
 * `http.headersTimeout` on the instance (docs/frameworks.md, "Use with your framework").
 * @example
 * await app.register(tessera, { tessera: createTessera({ store }) });
 * app.post('/api/build-trigger/', { config: { tessera: { permissions: [IsAuthenticated] } } },
 *   async (request) => ({ triggered_by: request.user.username }));
 */
export const tessera: FastifyPluginAsync<TesseraPluginOptions> = Object.assign(tesseraPlugin, {
  // What `fastify-plugin` sets: the plugin decorates and hooks the instance it is registered on.
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'tessera-auth',
});
