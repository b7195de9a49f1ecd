import type { Authentication, Authenticator } from '../auth/authenticator.js';
import type { Permission } from '../auth/permissions.js';
import { type BodyParserName, parseBody } from '../drf-compat/parse-body.js';
import {
  ApiError,
  MethodNotAllowed,
  NotAuthenticated,
  PermissionDenied,
  ServerError,
} from '../errors.js';
import { isPromiseLike, type MaybePromise } from '../maybe-promise.js';
import type { OperationShape } from '../openapi/operation-shape.js';
import { checkThrottles } from '../throttling/check-throttles.js';
import type { Throttle } from '../throttling/throttle.js';
import { ANONYMOUS_USER } from '../users/user.js';
import { negotiate } from './content-negotiation.js';
import { HANDLER_METHODS, type HandlerMethod } from './handler-methods.js';
import type { Request, ViewRequest } from './request.js';
import { type FieldMetadata, viewMetadata } from './view-metadata.js';
import { errorResponse, jsonResponse, type ViewResponse } from './view-response.js';

/** What a handler returns: DRF's `Response(data, status, headers)`. */
export interface ViewResult {
  readonly status?: number;
  readonly data?: unknown;
  readonly headers?: Record<string, string>;
}

/** A method handler of a view; returning nothing means 200 with no body, as DRF's `Response()`. */
export type Handler = (
  request: Request,
  // biome-ignore lint/suspicious/noConfusingVoidType: handlers may end without a return, like DRF views returning Response().
) => ViewResult | void | Promise<ViewResult | void>;

/** A view's declaration, as a DRF `APIView` subclass declares its class attributes. */
export interface ViewOptions extends Partial<Record<HandlerMethod, Handler>> {
  /** Shown by OPTIONS, as DRF's view name (e.g. `Build Trigger`). */
  readonly name?: string;
  readonly description?: string;
  readonly authentication?: readonly Authenticator[];
  readonly permissions?: readonly Permission[];
  /** Throttles, run after permissions; every one sees each request (DRF's `throttle_classes`). */
  readonly throttles?: readonly Throttle[];
  /** The scope `ScopedRateThrottle` reads (DRF's `throttle_scope`). */
  readonly throttleScope?: string;
  /** Body parsers, in DRF's `parser_classes` order; default JSON, form, multipart. */
  readonly parsers?: readonly BodyParserName[];
  /** Field descriptions OPTIONS lists under `actions` for POST and PUT, as DRF's serializers. */
  readonly fields?: Readonly<Record<string, FieldMetadata>>;
  /** What each method accepts and answers, for the OpenAPI document (`tessera generateschema`). */
  readonly operations?: Partial<Record<HandlerMethod, OperationShape>>;
}

/** Options for one call of `View.handle`. */
export interface HandleOptions {
  /** Route parameters matched by the adapter. */
  readonly params?: Readonly<Record<string, string>>;
  /** Told about every 5xx answer (store outages, bugs); never given a key or a password. */
  readonly reportError?: (error: unknown) => void;
}

/** A framework-free view: runs DRF's order of checks and answers with a `ViewResponse`. */
export interface View {
  readonly options: ViewOptions;
  /** DRF's allowed methods, e.g. `['POST', 'OPTIONS']`. */
  readonly allowedMethods: readonly string[];
  /** The `Allow` header value every response carries. */
  readonly allow: string;
  /**
   * Content negotiation, authentication, permissions, throttles, then the method's handler; never
   * throws or rejects (errors are rendered). The response itself when every step answered at once
   * (a token cache hit, synchronous permissions and handler), else a promise: `await` it.
   */
  handle(request: ViewRequest, options?: HandleOptions): MaybePromise<ViewResponse>;
  /**
   * Content negotiation, authentication, permissions and throttles only, for adapters that run a
   * framework-native handler afterwards. Throws or rejects with `ApiError`; render it with
   * `renderError`. The request itself when every check answered at once, else a promise.
   */
  check(request: ViewRequest, params?: Readonly<Record<string, string>>): MaybePromise<Request>;
  /** Renders any thrown value as DRF does (401/403 rule, `Allow`, `Retry-After`). */
  renderError(error: unknown, reportError?: (error: unknown) => void): ViewResponse;
}

const DEFAULT_PARSERS: readonly BodyParserName[] = ['json', 'form', 'multipart'];
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});
const NO_OPTIONS: HandleOptions = Object.freeze({});

/**
 * Declares a view.
 * @example
 * const buildTrigger = defineView({
 *   name: 'Build Trigger',
 *   authentication: [tokenAuthentication],
 *   permissions: [IsAuthenticated],
 *   post: () => {},
 * });
 */
export function defineView(options: ViewOptions): View {
  const authentication = options.authentication ?? [];
  const permissions = options.permissions ?? [];
  const throttles = options.throttles ?? [];
  const parsers = options.parsers ?? DEFAULT_PARSERS;
  // DRF lists allowed methods in `http_method_names` order; HEAD follows GET, OPTIONS is always on.
  const allowedMethods = [
    ...HANDLER_METHODS.filter((method) => options[method]).map((m) => m.toUpperCase()),
    ...(options.get ? ['HEAD'] : []),
    'OPTIONS',
  ];
  const allow = allowedMethods.join(', ');
  const authenticateHeader = authentication[0]?.authenticateHeader?.();

  // DRF's `perform_authentication`: the first authenticator that answers wins. A cache hit answers
  // with the value itself, and then so does this.
  function authenticate(
    raw: ViewRequest,
    params: Readonly<Record<string, string>>,
    from = 0,
  ): MaybePromise<Request> {
    for (let index = from; index < authentication.length; index++) {
      const answer = (authentication[index] as Authenticator).authenticate(raw);
      if (isPromiseLike(answer)) {
        return Promise.resolve(answer).then((result) =>
          result ? authorize(raw, params, result) : authenticate(raw, params, index + 1),
        );
      }
      if (answer) return authorize(raw, params, answer);
    }
    return authorize(raw, params, null);
  }

  // Builds DRF's `Request` for the authenticated (or anonymous) caller, then runs permissions and
  // throttles, each awaited only when it answered with a promise.
  function authorize(
    raw: ViewRequest,
    params: Readonly<Record<string, string>>,
    result: Authentication | null,
  ): MaybePromise<Request> {
    let parsed: Promise<unknown> | undefined;
    const request: Request = {
      method: raw.method,
      user: result ? result.user : ANONYMOUS_USER,
      auth: result ? result.auth : null,
      params,
      raw,
      data: () => {
        parsed ??= raw.hostParsedBody
          ? Promise.resolve(raw.hostParsedBody.data)
          : raw.readBody().then((body) => parseBody(raw.header('content-type'), body, parsers));
        return parsed;
      },
    };
    const permitted = checkPermissions(request, result !== null);
    // Most views have no throttle: skipping the call spares an async step on every request.
    const throttled =
      throttles.length === 0
        ? permitted
        : permitted === undefined
          ? checkThrottles(throttles, request, options)
          : permitted.then(() => checkThrottles(throttles, request, options));
    return throttled === undefined ? request : throttled.then(() => request);
  }

  // DRF's `check_permissions`: undefined when every permission answered true at once.
  function checkPermissions(
    request: Request,
    authenticated: boolean,
    from = 0,
  ): Promise<void> | undefined {
    for (let index = from; index < permissions.length; index++) {
      const permission = permissions[index] as Permission;
      const allowed = permission.hasPermission(request);
      if (allowed === true) continue;
      if (allowed === false) deny(permission, request, authenticated);
      return Promise.resolve(allowed).then((granted) => {
        if (!granted) deny(permission, request, authenticated);
        return checkPermissions(request, authenticated, index + 1);
      });
    }
    return undefined;
  }

  function deny(permission: Permission, request: Request, authenticated: boolean): never {
    // DRF: with authenticators declared and none succeeded, the answer is "not authenticated".
    if (authentication.length > 0 && !authenticated) throw new NotAuthenticated();
    const message =
      typeof permission.message === 'function' ? permission.message(request) : permission.message;
    throw new PermissionDenied(message, permission.code);
  }

  function check(
    raw: ViewRequest,
    params: Readonly<Record<string, string>> = NO_PARAMS,
  ): MaybePromise<Request> {
    negotiate(raw.header('accept'), raw.query('format'));
    return authenticate(raw, params);
  }

  // Every request looks its handler up: the usual upper-case names are found in one Map read.
  const handlers = new Map<string, Handler>();
  for (const method of HANDLER_METHODS) {
    const handler = options[method];
    if (handler) handlers.set(method.toUpperCase(), handler);
  }
  if (options.get) handlers.set('HEAD', options.get);
  const metadata = {
    name: options.name,
    description: options.description,
    allowedMethods,
    parsers,
    fields: options.fields,
  };
  handlers.set('OPTIONS', () => ({ data: viewMetadata(metadata) }));

  function handlerFor(method: string): Handler | undefined {
    const handler = handlers.get(method);
    if (handler !== undefined || method === 'HEAD' || method === 'OPTIONS') return handler;
    const name = method.toLowerCase();
    return (HANDLER_METHODS as readonly string[]).includes(name)
      ? options[name as HandlerMethod]
      : undefined;
  }

  function renderError(error: unknown, reportError?: (error: unknown) => void): ViewResponse {
    const apiError = error instanceof ApiError ? error : new ServerError();
    if (apiError.status >= 500) reportError?.(error);
    return errorResponse(apiError, allow, authenticateHeader);
  }

  // The handler's answer rendered as DRF's `Response`; nothing returned is 200 with no body.
  function rendered(returned: Awaited<ReturnType<Handler>>): ViewResponse {
    const result = returned ?? undefined;
    return jsonResponse(result?.status ?? 200, result?.data, allow, result?.headers);
  }

  // After the checks: the method's handler (405 without one), awaited only when it is async.
  function respond(request: Request): MaybePromise<ViewResponse> {
    const handler = handlerFor(request.method);
    if (!handler) throw new MethodNotAllowed(request.method);
    const returned = handler(request);
    return isPromiseLike(returned) ? Promise.resolve(returned).then(rendered) : rendered(returned);
  }

  // No closure is made on the path that answers at once: every request takes it.
  function handle(
    raw: ViewRequest,
    handleOptions: HandleOptions = NO_OPTIONS,
  ): MaybePromise<ViewResponse> {
    try {
      const checked = check(raw, handleOptions.params);
      const answer = isPromiseLike(checked) ? checked.then(respond) : respond(checked);
      if (!isPromiseLike(answer)) return answer;
      return answer.then(undefined, (error: unknown) =>
        renderError(error, handleOptions.reportError),
      );
    } catch (error) {
      return renderError(error, handleOptions.reportError);
    }
  }

  return { options, allowedMethods, allow, handle, check, renderError };
}
