import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  RequestMethod,
  type Type,
} from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import type { Authenticator } from '../../core/auth/authenticator.js';
import { IsAuthenticated, type Permission } from '../../core/auth/permissions.js';
import type { NodeRequestMessage } from '../../core/http/node-view-request.js';
import { defineRouteGuard, type RouteGuard } from '../../core/http/route-guard.js';
import type { ViewResponse } from '../../core/http/view-response.js';
import { authenticationOf, bodyLimitOf } from '../adapter-tessera.js';
import {
  AUTHENTICATION_METADATA,
  metadata,
  PERMISSIONS_METADATA,
  PUBLIC_METADATA,
} from './metadata.js';
import { TESSERA_OPTIONS, type TesseraModuleOptions } from './options.js';
import {
  nodeMessage,
  type PlatformRequest,
  type PlatformResponse,
  reportToLogger,
  toViewRequest,
} from './platform.js';

/** An authenticator, or its class: the one of that class configured in `TesseraModule`. */
export type AuthenticatorReference =
  | Authenticator
  | (abstract new (
      ...args: never[]
    ) => Authenticator);

// The route guard each request went through, for the exception filter.
export const guardedRequests = new WeakMap<NodeRequestMessage, RouteGuard>();

/** The answer a guard has already rendered (401, 403, 405, OPTIONS, 406…), for the filter. */
export class GuardAnswer extends Error {
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
 * Runs DRF's checks: content negotiation, authentication, permissions, then 405 with `Allow`
 * for methods no handler answers; sets `request.tessera` (`user`, `auth`). It guards controllers
 * declared with `@Authentication` or `@Permissions` (the decorators attach it), and, registered
 * as an `APP_GUARD` by `TesseraModule.forRoot({ globalGuard: true })`, every route but those
 * marked `@Public()`.
 */
export class TesseraGuard implements CanActivate {
  readonly #options: TesseraModuleOptions;
  readonly #defaultAuthentication: readonly Authenticator[];
  readonly #defaultPermissions: readonly Permission[];
  readonly #maxBodyBytes: number | undefined;
  // Per controller, then handler: an inherited handler serves each subclass with its own Allow.
  readonly #guards = new WeakMap<Type<unknown>, Map<object, RouteGuard | null>>();

  constructor(options: TesseraModuleOptions) {
    this.#options = options;
    this.#defaultAuthentication = authenticationOf(options.authentication, options.tessera);
    this.#defaultPermissions =
      options.permissions ?? (options.globalGuard ? [IsAuthenticated] : []);
    this.#maxBodyBytes = bodyLimitOf(options.maxBodyBytes, options.tessera);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    const controller = context.getClass();
    if (metadata<boolean>(PUBLIC_METADATA, handler, controller) === true) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<PlatformRequest>();
    // Registered both globally and by a decorator: the checks run once.
    if (guardedRequests.has(nodeMessage(request))) return true;
    const guard = this.#routeGuard(controller, handler);
    if (!guard) return true;
    const result = await guard.check(toViewRequest(request, this.#maxBodyBytes), {
      params: request.params ?? {},
      reportError: reportToLogger,
    });
    if (result.response) throw new GuardAnswer(result.response);
    request.tessera = { user: result.request.user, auth: result.request.auth };
    guardedRequests.set(nodeMessage(request), guard);
    const response = http.getResponse<PlatformResponse>();
    if (response.setHeader) response.setHeader('allow', guard.allow);
    else response.header?.('allow', guard.allow);
    return true;
  }

  /** The route guard of one handler, built on first use; undefined for unguarded routes. */
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
    // Registered by a decorator or by hand, the guard checks declared routes only.
    if (!authentication && !permissions && !this.#options.globalGuard) return null;
    const path = normalizedPath(Reflect.getMetadata(PATH_METADATA, handler));
    return defineRouteGuard({
      name: viewName(controller),
      authentication: authentication
        ? authentication.map((reference) => this.#authenticator(reference))
        : this.#defaultAuthentication,
      permissions: permissions ?? this.#defaultPermissions,
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
        `tessera: no ${reference.name} in TesseraModule.forRoot({ tessera }) or its authentication to use for @Authentication(${reference.name})`,
      );
    }
    return configured;
  }
}
// Applied as calls: tessera compiles without `experimentalDecorators`, which NestJS needs.
Injectable()(TesseraGuard);
Inject(TESSERA_OPTIONS)(TesseraGuard, undefined, 0);
