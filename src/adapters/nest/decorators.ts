import {
  All,
  createParamDecorator,
  type ExecutionContext,
  RequestMethod,
  SetMetadata,
  type Type,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
} from '@nestjs/common/constants.js';
import type { Permission } from '../../core/auth/permissions.js';
import { ServerError } from '../../core/errors.js';
import { TesseraExceptionFilter } from './filter.js';
import { type AuthenticatorReference, TesseraGuard } from './guard.js';
import { TesseraErrorInterceptor } from './handler-errors.js';
import { AUTHENTICATION_METADATA, PERMISSIONS_METADATA, PUBLIC_METADATA } from './metadata.js';
import { requestState } from './platform.js';

const METHOD_NOT_ALLOWED_ROUTE = 'tesseraMethodNotAllowed';

function hasEnhancer(key: string, target: object, enhancer: unknown): boolean {
  const list: unknown = Reflect.getMetadata(key, target);
  return Array.isArray(list) && list.includes(enhancer);
}

/** The paths a controller's handlers (its own and inherited ones) are routed on, in order. */
function handlerPaths(controller: Type<unknown>): unknown[] {
  const paths = new Map<string, unknown>();
  for (
    let prototype: object | null = controller.prototype;
    prototype && prototype !== Object.prototype;
    prototype = Object.getPrototypeOf(prototype)
  ) {
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name === 'constructor' || name.startsWith(METHOD_NOT_ALLOWED_ROUTE)) continue;
      const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (typeof handler !== 'function') continue;
      const method: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
      if (typeof method !== 'number' || method === RequestMethod.ALL) continue;
      const path: unknown = Reflect.getMetadata(PATH_METADATA, handler) ?? '/';
      paths.set(JSON.stringify(path), path);
    }
  }
  return paths.size === 0 ? ['/'] : [...paths.values()];
}

/**
 * Gives a controller DRF's behaviour for methods it has no handler for: its class-level
 * declaration adds a catch-all route per path its handlers use (`/`, `:id`…), after its own,
 * that the guard answers (401/403, OPTIONS, then 405 with `Allow`) instead of Nest's 404.
 */
function addMethodNotAllowedRoutes(controller: Type<unknown>): void {
  const prototype = controller.prototype as object;
  if (Object.hasOwn(prototype, METHOD_NOT_ALLOWED_ROUTE)) return;
  for (const [index, path] of handlerPaths(controller).entries()) {
    const name = index === 0 ? METHOD_NOT_ALLOWED_ROUTE : `${METHOD_NOT_ALLOWED_ROUTE}${index}`;
    const descriptor: PropertyDescriptor = {
      value: function tesseraMethodNotAllowed(): never {
        // The guard answers every method this route catches; reaching here means it did not run.
        throw new ServerError();
      },
      writable: true,
      configurable: true,
      enumerable: false,
    };
    Object.defineProperty(prototype, name, descriptor);
    All(path as string | string[])(prototype, name, descriptor);
  }
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
      if (!hasEnhancer(INTERCEPTORS_METADATA, controller, TesseraErrorInterceptor)) {
        UseInterceptors(TesseraErrorInterceptor)(controller);
      }
      addMethodNotAllowedRoutes(controller);
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
    if (!hasEnhancer(INTERCEPTORS_METADATA, handler, TesseraErrorInterceptor)) {
      UseInterceptors(TesseraErrorInterceptor)(target, propertyKey, descriptor);
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

/**
 * Skips tessera's checks for a controller or one handler, under
 * `TesseraModule.forRoot({ globalGuard: true })`: no authentication, no permissions (a login or
 * health route). `@Authentication`/`@Permissions` on a handler of a public controller do not
 * apply either.
 * @example
 * @Get('health') @Public() health() { return 'ok'; }
 */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(PUBLIC_METADATA, true);
}

/**
 * The handler parameter holding the user tessera authenticated (DRF's `request.user`), or
 * Django's anonymous user.
 * @example
 * @Get() me(@TesseraUser() user: RequestUser) { return { username: user.username }; }
 */
export const TesseraUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => requestState(context).user,
);

/** The handler parameter holding the token that authenticated the request, or null (DRF's `request.auth`). */
export const TesseraAuth = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => requestState(context).auth,
);
