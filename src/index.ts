/**
 * tessera: Django REST Framework's token authentication for TypeScript APIs.
 *
 * The root entry holds what an app composes with: `createTessera` over a store, views,
 * permissions, throttles, the errors a handler throws, and the user and token operations.
 * Everything else has its own entry point:
 * - frameworks: `tessera-auth/fastify`, `/express`, `/hono`, `/nest`, `/node`;
 * - stores: `tessera-auth/sqlite`, `/postgres`, `/mysql`, and `/redis` for shared throttles;
 * - building an adapter or a store: `tessera-auth/adapter-kit`;
 * - tests: `tessera-auth/testing` (a manual clock).
 *
 * Importing this entry loads no database driver or native module: `openStore` loads the one
 * its URL needs.
 * @packageDocumentation
 */

// Authentication and permissions, as DRF composes them.
export type { Authentication, Authenticator } from './core/auth/authenticator.js';
export { and, not, or } from './core/auth/permission-composition.js';
export {
  AllowAny,
  IsAdminUser,
  IsAuthenticated,
  IsAuthenticatedOrReadOnly,
  type Permission,
  SAFE_METHODS,
} from './core/auth/permissions.js';
export {
  TokenAuthentication,
  type TokenAuthenticationOptions,
} from './core/auth/token-authentication.js';
export { OptionalPackageError } from './core/config/optional-package.js';
export type { TesseraSettings } from './core/config/settings.js';
export { SettingsError, settingsFromEnv } from './core/config/settings-from-env.js';
// Errors: what a handler throws, and what configuration mistakes throw.
export {
  ApiError,
  AuthenticationFailed,
  NotAuthenticated,
  NotFound,
  ParseError,
  PermissionDenied,
  Throttled,
  ValidationError,
} from './core/errors.js';
// Events a tessera emits (`tessera.events.on(...)`).
export type {
  AuthenticationFailureReason,
  RevocationReason,
  TesseraEventMap,
  TesseraEventName,
} from './core/events.js';
export type { Request, ViewRequest } from './core/http/request.js';
// Views and the request a handler reads.
export {
  defineView,
  type HandleOptions,
  type Handler,
  type View,
  type ViewOptions,
  type ViewResult,
} from './core/http/view.js';
export type { ViewResponse } from './core/http/view-response.js';
export { PasswordHasher, validatePassword } from './core/passwords/index.js';
export type { Store } from './core/store.js';
export { createTessera, type Tessera, type TesseraOptions } from './core/tessera.js';
// Throttles, as DRF names them.
export {
  AnonRateThrottle,
  ImproperlyConfigured,
  ScopedRateThrottle,
  SimpleRateThrottle,
  type SimpleRateThrottleOptions,
  type Throttle,
  type ThrottleBackend,
  type ThrottleRate,
  type ThrottleRates,
  UserRateThrottle,
} from './core/throttling/index.js';
export type { Clock } from './core/time/clock.js';
export { HasScope } from './core/tokens/scopes.js';
export type { Token, TokenKind } from './core/tokens/token.js';
export { type IssuedToken, issueDefaultToken } from './core/tokens/token-issuer.js';
export {
  createNamedToken,
  type NamedTokenInput,
  pruneExpiredTokens,
  revokeToken,
  revokeUserTokens,
  rotateToken,
} from './core/tokens/token-management.js';
// Users, tokens and passwords.
export type { AnonymousUser, RequestUser, User } from './core/users/user.js';
export { type CreateUserInput, createUser } from './core/users/users.js';
// Composition: one tessera per app, over one store, from settings.
export { type OpenStoreOptions, openStore, type StoreSettings } from './stores/open-store.js';
