import { ServerError } from '../errors.js';
import { afterValue, isPromiseLike, type MaybePromise } from '../maybe-promise.js';
import { HANDLER_METHODS, type HandlerMethod } from './handler-methods.js';
import type { Request, ViewRequest } from './request.js';
import { defineView, type HandleOptions, type View, type ViewOptions } from './view.js';
import type { ViewResponse } from './view-response.js';

/** A route whose handlers live in the framework: its DRF declaration and its methods. */
export interface RouteGuardOptions extends Omit<ViewOptions, HandlerMethod> {
  /** Methods the framework's own handlers answer, e.g. `['POST']`; HEAD follows GET. */
  readonly methods: readonly string[];
}

/** What a guard decided: go on to the framework's handler with `request`, or send `response`. */
export type GuardResult =
  | { readonly request: Request; readonly response?: undefined }
  | { readonly response: ViewResponse; readonly request?: undefined };

/** DRF's checks for a route answered by framework-native handlers. */
export interface RouteGuard {
  /** The view holding the declaration; its `renderError` renders a handler's `ApiError`. */
  readonly view: View;
  /** The `Allow` value every answer of the route carries. */
  readonly allow: string;
  /**
   * For a method the framework answers: content negotiation, authentication and permissions,
   * giving the authenticated request or the error's response. For any other method the whole
   * view answers: the same checks, then OPTIONS metadata or DRF's 405. Never throws or rejects;
   * the result itself when every check answered at once (a token cache hit), else a promise.
   */
  check(raw: ViewRequest, options?: HandleOptions): MaybePromise<GuardResult>;
}

const answered = (response: ViewResponse): GuardResult => ({ response });
const passed = (request: Request): GuardResult => ({ request });

// Never called: the framework's own handler answers these methods once the checks have passed.
const FRAMEWORK_HANDLER = () => {
  throw new ServerError();
};

/**
 * Declares DRF's checks for a route whose handlers are the framework's, so an adapter's
 * middleware, hook or guard gives the same answers as a mounted view.
 * @example
 * const guard = defineRouteGuard({ authentication: [tokenAuthentication],
 *   permissions: [IsAuthenticated], methods: ['POST'] });
 * const result = await guard.check(nodeViewRequest(req));
 */
export function defineRouteGuard(options: RouteGuardOptions): RouteGuard {
  const { methods, ...declaration } = options;
  const native = new Set(methods.map((method) => method.toUpperCase()));
  if (native.has('GET')) native.add('HEAD');
  const handlers: Partial<Record<HandlerMethod, typeof FRAMEWORK_HANDLER>> = {};
  for (const method of HANDLER_METHODS) {
    if (native.has(method.toUpperCase())) handlers[method] = FRAMEWORK_HANDLER;
  }
  const view = defineView({ ...declaration, ...handlers });
  return {
    view,
    allow: view.allow,
    check(raw, handleOptions = {}) {
      if (!native.has(raw.method)) return afterValue(view.handle(raw, handleOptions), answered);
      const refused = (error: unknown): GuardResult => ({
        response: view.renderError(error, handleOptions.reportError),
      });
      try {
        const request = view.check(raw, handleOptions.params);
        return isPromiseLike(request) ? request.then(passed, refused) : { request };
      } catch (error) {
        return refused(error);
      }
    },
  };
}
