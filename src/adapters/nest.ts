import {
  All,
  type ArgumentsHost,
  type CanActivate,
  Catch,
  Controller,
  type DynamicModule,
  type ExceptionFilter,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Module,
  Req,
  RequestMethod,
  Res,
  SetMetadata,
  type Type,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
} from '@nestjs/common/constants.js';
import type { Authenticator } from '../core/auth/authenticator.js';
import type { Permission } from '../core/auth/permissions.js';
import { TokenAuthentication } from '../core/auth/token-authentication.js';
import { ApiError, ServerError } from '../core/errors.js';
import { apiErrorResponse, handlerErrorResponse } from '../core/http/api-error-response.js';
import { type NodeRequestMessage, nodeViewRequest } from '../core/http/node-view-request.js';
import { type NodeResponseTarget, writeViewResponse } from '../core/http/node-view-response.js';
import type { ViewRequest } from '../core/http/request.js';
import { defineRouteGuard, type RouteGuard } from '../core/http/route-guard.js';
import type { View } from '../core/http/view.js';
import type { ViewResponse } from '../core/http/view-response.js';
import type { TokenLookup } from '../core/store.js';
import type { Token } from '../core/tokens/token.js';
import type { RequestUser } from '../core/users/user.js';

declare global {
  // NestJS on Express hands handlers Express's request: type `@Req() request: Request` there.
  namespace Express {
    interface Request {
      /** The user tessera authenticated, or Django's anonymous user. */
      user: RequestUser;
      /** The token that authenticated the request, or null (DRF's `request.auth`). */
      auth: Token | null;
    }
  }
}

/** What `TesseraGuard` adds to the request, whatever the platform. */
export interface TesseraRequest {
  user: RequestUser;
  auth: Token | null;
}

/** Options of `TesseraModule.forRoot`: DRF's defaults, and core views to mount. */
export interface TesseraModuleOptions {
  /** DRF's `DEFAULT_AUTHENTICATION_CLASSES`; default token authentication on `store`. */
  readonly authentication?: readonly Authenticator[];
  /** DRF's `DEFAULT_PERMISSION_CLASSES`; default none (`AllowAny`). */
  readonly permissions?: readonly Permission[];
  /** Where token authentication looks keys up, when `authentication` is not given. */
  readonly store?: TokenLookup;
  /** `Authorization` schemes token authentication accepts; default `['Token']`. */
  readonly keywords?: readonly string[];
  /** Core views by path (e.g. `'api-token-auth'`), each mounted on every method. */
  readonly views?: Readonly<Record<string, View>>;
  /** Largest body a view reads, in bytes (413 beyond). Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/** The injection token of the module's options. */
export const TESSERA_OPTIONS = Symbol.for('tessera-auth:nest-options');

/** An authenticator, or its class: the one of that class configured in `TesseraModule`. */
export type AuthenticatorReference =
  | Authenticator
  | (abstract new (
      ...args: never[]
    ) => Authenticator);

const AUTHENTICATION_METADATA = 'tessera:authentication';
const PERMISSIONS_METADATA = 'tessera:permissions';
const METHOD_NOT_ALLOWED_ROUTE = 'tesseraMethodNotAllowed';
const logger = new Logger('tessera');

function reportToLogger(error: unknown): void {
  logger.error('view failed', error instanceof Error ? error.stack : String(error));
}

/** A request as either Nest platform hands it over (Fastify's carries Node's as `raw`). */
type PlatformRequest = (NodeRequestMessage | { readonly raw: NodeRequestMessage }) &
  Partial<TesseraRequest> & { readonly params?: Record<string, string>; readonly ip?: string };
type PlatformResponse = NodeResponseTarget & {
  setHeader?(name: string, value: string): unknown;
  readonly raw?: NodeResponseTarget;
  header?(name: string, value: string): unknown;
};

function nodeMessage(request: PlatformRequest): NodeRequestMessage {
  return 'raw' in request ? request.raw : request;
}

function nodeResponse(response: PlatformResponse): NodeResponseTarget {
  return response.raw ?? response;
}

function toViewRequest(request: PlatformRequest, maxBodyBytes: number | undefined): ViewRequest {
  return nodeViewRequest(nodeMessage(request), { maxBodyBytes, remoteAddress: request.ip });
}

// The route guard each request went through, for the exception filter.
const guardedRequests = new WeakMap<NodeRequestMessage, RouteGuard>();

/** The answer a guard has already rendered (401, 403, 405, OPTIONS, 406…), for the filter. */
class GuardAnswer extends Error {
  constructor(readonly response: ViewResponse) {
    super(`tessera answered ${response.status}`);
  }
}

/** DRF's `get_view_name`: the class name without `Controller`/`View`, camel case spaced out. */
function viewName(controller: Type<unknown>): string {
  const name = controller.name.replace(/Controller$/, '').replace(/View(Set)?$/, '');
  return name.replace(/((?<=[a-z])[A-Z]|[A-Z](?![A-Z]|$))/g, ' $1').trim();
}

function normalizedPath(path: unknown): string {
  const paths = Array.isArray(path) ? path : [path ?? '/'];
  return paths.map((one) => String(one).replace(/^\/+|\/+$/g, '')).join('|');
}

/** The methods a controller's handlers answer on `path` (its own and inherited ones). */
function handlerMethods(controller: Type<unknown>, path: string): string[] {
  const methods: string[] = [];
  for (
    let prototype: object | null = controller.prototype;
    prototype && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (typeof handler !== 'function' || name === 'constructor') continue;
      const method: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
      if (typeof method !== 'number' || method === RequestMethod.ALL) continue;
      if (normalizedPath(Reflect.getMetadata(PATH_METADATA, handler)) !== path) continue;
      methods.push(RequestMethod[method] as string);
    }
  }
  return methods;
}

/**
 * Runs DRF's checks for controllers declared with `@Authentication` or `@Permissions` (the
 * decorators attach it): content negotiation, authentication, permissions, then 405 with `Allow`
 * for methods no handler answers. Sets `request.user` and `request.auth`.
 */
export class TesseraGuard implements CanActivate {
  readonly #options: TesseraModuleOptions;
  readonly #defaultAuthentication: readonly Authenticator[];
  // Per controller, then handler: an inherited handler serves each subclass with its own Allow.
  readonly #guards = new WeakMap<Type<unknown>, Map<object, RouteGuard | null>>();

  constructor(options: TesseraModuleOptions) {
    this.#options = options;
    this.#defaultAuthentication =
      options.authentication ??
      (options.store
        ? [new TokenAuthentication({ store: options.store, keywords: options.keywords })]
        : []);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    // Registered both globally and by a decorator: the checks run once.
    if (guardedRequests.has(nodeMessage(request))) return true;
    const guard = this.#routeGuard(context.getClass(), context.getHandler());
    if (!guard) return true;
    const result = await guard.check(toViewRequest(request, this.#options.maxBodyBytes), {
      params: request.params ?? {},
      reportError: reportToLogger,
    });
    if (result.response) throw new GuardAnswer(result.response);
    request.user = result.request.user;
    request.auth = result.request.auth;
    guardedRequests.set(nodeMessage(request), guard);
    const response = http.getResponse<PlatformResponse>();
    if (response.setHeader) response.setHeader('allow', guard.allow);
    else response.header?.('allow', guard.allow);
    return true;
  }

  /** The route guard of one handler, built on first use; undefined for undeclared routes. */
  #routeGuard(controller: Type<unknown>, handler: object): RouteGuard | undefined {
    let byHandler = this.#guards.get(controller);
    if (!byHandler) {
      byHandler = new Map();
      this.#guards.set(controller, byHandler);
    }
    if (!byHandler.has(handler)) byHandler.set(handler, this.#buildGuard(controller, handler));
    return byHandler.get(handler) ?? undefined;
  }

  #buildGuard(controller: Type<unknown>, handler: object): RouteGuard | null {
    const authentication = metadata<AuthenticatorReference[]>(
      AUTHENTICATION_METADATA,
      handler,
      controller,
    );
    const permissions = metadata<Permission[]>(PERMISSIONS_METADATA, handler, controller);
    if (!authentication && !permissions) return null;
    const path = normalizedPath(Reflect.getMetadata(PATH_METADATA, handler));
    return defineRouteGuard({
      name: viewName(controller),
      authentication: authentication
        ? authentication.map((reference) => this.#authenticator(reference))
        : this.#defaultAuthentication,
      permissions: permissions ?? this.#options.permissions ?? [],
      methods: handlerMethods(controller, path),
    });
  }

  #authenticator(reference: AuthenticatorReference): Authenticator {
    if (typeof reference !== 'function') return reference;
    const configured = this.#defaultAuthentication.find(
      (authenticator) => authenticator instanceof reference,
    );
    if (!configured) {
      throw new Error(
        `tessera: no ${reference.name} in TesseraModule.forRoot({ authentication }) to use for @Authentication(${reference.name})`,
      );
    }
    return configured;
  }
}
Injectable()(TesseraGuard);
Inject(TESSERA_OPTIONS)(TesseraGuard, undefined, 0);

function metadata<T>(key: string, handler: object, controller: object): T | undefined {
  return (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller)) as
    | T
    | undefined;
}

/**
 * Renders what `TesseraGuard` decided, and `ApiError`s thrown by handlers, in DRF's shape with
 * DRF's exact `Content-Type`, `Allow` and `WWW-Authenticate`.
 */
export class TesseraExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = nodeMessage(http.getRequest<PlatformRequest>());
    // `@Catch` lets only ApiErrors through besides guard answers, and those always render.
    const answer =
      exception instanceof GuardAnswer
        ? exception.response
        : (handlerErrorResponse(exception, guardedRequests.get(request), reportToLogger) ??
          apiErrorResponse(new ServerError()));
    writeViewResponse(nodeResponse(http.getResponse<PlatformResponse>()), answer);
  }
}
Injectable()(TesseraExceptionFilter);
Catch(ApiError, GuardAnswer)(TesseraExceptionFilter);

function hasEnhancer(key: string, target: object, enhancer: unknown): boolean {
  const list: unknown = Reflect.getMetadata(key, target);
  return Array.isArray(list) && list.includes(enhancer);
}

/**
 * Gives a controller DRF's behaviour for methods it has no handler for: its class-level
 * declaration adds a catch-all route, after its own, that the guard answers (401/403, OPTIONS,
 * then 405 with `Allow`) instead of Nest's 404.
 */
function addMethodNotAllowedRoute(controller: Type<unknown>): void {
  const prototype = controller.prototype as object;
  if (Object.hasOwn(prototype, METHOD_NOT_ALLOWED_ROUTE)) return;
  const descriptor: PropertyDescriptor = {
    value: function tesseraMethodNotAllowed(): never {
      // The guard answers every method this route catches; reaching here means it did not run.
      throw new ServerError();
    },
    writable: true,
    configurable: true,
    enumerable: false,
  };
  Object.defineProperty(prototype, METHOD_NOT_ALLOWED_ROUTE, descriptor);
  All()(prototype, METHOD_NOT_ALLOWED_ROUTE, descriptor);
}

function tesseraDecorator(key: string, value: unknown): ClassDecorator & MethodDecorator {
  const decorate = (
    target: object,
    propertyKey?: string | symbol,
    descriptor?: PropertyDescriptor,
  ) => {
    if (propertyKey === undefined || descriptor === undefined) {
      const controller = target as Type<unknown>;
      SetMetadata(key, value)(controller);
      if (!hasEnhancer(GUARDS_METADATA, controller, TesseraGuard))
        UseGuards(TesseraGuard)(controller);
      if (!hasEnhancer(EXCEPTION_FILTERS_METADATA, controller, TesseraExceptionFilter)) {
        UseFilters(TesseraExceptionFilter)(controller);
      }
      addMethodNotAllowedRoute(controller);
      return;
    }
    const handler = descriptor.value as object;
    SetMetadata(key, value)(target, propertyKey, descriptor);
    if (!hasEnhancer(GUARDS_METADATA, handler, TesseraGuard)) {
      UseGuards(TesseraGuard)(target, propertyKey, descriptor);
    }
    if (!hasEnhancer(EXCEPTION_FILTERS_METADATA, handler, TesseraExceptionFilter)) {
      UseFilters(TesseraExceptionFilter)(target, propertyKey, descriptor);
    }
  };
  return decorate as ClassDecorator & MethodDecorator;
}

/**
 * DRF's `authentication_classes` for a controller (or one handler): authenticators, or their
 * classes to take from `TesseraModule.forRoot`. On a controller, its other methods answer 405.
 * @example
 * @Controller('api/build-trigger')
 * @Authentication(TokenAuthentication)
 * @Permissions(IsAuthenticated)
 * export class BuildTriggerController { @Post() @HttpCode(200) trigger() {} }
 */
export function Authentication(
  ...authenticators: AuthenticatorReference[]
): ClassDecorator & MethodDecorator {
  return tesseraDecorator(AUTHENTICATION_METADATA, authenticators);
}

/**
 * DRF's `permission_classes` for a controller (or one handler). On a controller, its other
 * methods answer 405 after the checks.
 */
export function Permissions(...permissions: Permission[]): ClassDecorator & MethodDecorator {
  return tesseraDecorator(PERMISSIONS_METADATA, permissions);
}

/** Options of `viewController`. */
export interface ViewControllerOptions {
  /** Largest body the view reads, in bytes (413 beyond). Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

/**
 * A controller serving a core view on every method of `path`, with the core's body parsing:
 * create the app with `{ bodyParser: false }` so the body is still unread when the view runs.
 * @example
 * @Module({ controllers: [viewController('api-token-auth', obtainToken)] })
 */
export function viewController(
  path: string,
  view: View,
  options: ViewControllerOptions = {},
): Type<unknown> {
  class TesseraViewController {
    async handle(request: PlatformRequest, response: PlatformResponse): Promise<void> {
      const answer = await view.handle(toViewRequest(request, options.maxBodyBytes), {
        params: request.params ?? {},
        reportError: reportToLogger,
      });
      writeViewResponse(nodeResponse(response), answer);
    }
  }
  const prototype = TesseraViewController.prototype;
  Controller(path)(TesseraViewController);
  const descriptor = Object.getOwnPropertyDescriptor(prototype, 'handle') as PropertyDescriptor;
  All()(prototype, 'handle', descriptor);
  Req()(prototype, 'handle', 0);
  Res()(prototype, 'handle', 1);
  return TesseraViewController;
}

/**
 * tessera for a NestJS app: the options `TesseraGuard` reads, and the core views to mount. Bound
 * slow clients on `app.getHttpServer()` (README, "Use with your framework").
 * @example
 * @Module({ imports: [TesseraModule.forRoot({ store, views: { 'api-token-auth': obtainToken } })] })
 * export class AppModule {}
 */
// biome-ignore lint/complexity/noStaticOnlyClass: a NestJS module is a class, configured by forRoot.
export class TesseraModule {
  static forRoot(options: TesseraModuleOptions = {}): DynamicModule {
    return {
      module: TesseraModule,
      global: true,
      providers: [
        { provide: TESSERA_OPTIONS, useValue: options },
        TesseraGuard,
        TesseraExceptionFilter,
      ],
      exports: [TESSERA_OPTIONS, TesseraGuard, TesseraExceptionFilter],
      controllers: Object.entries(options.views ?? {}).map(([path, view]) =>
        viewController(path, view, { maxBodyBytes: options.maxBodyBytes }),
      ),
    };
  }
}
Module({})(TesseraModule);
