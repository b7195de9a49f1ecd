/**
 * tessera: Django REST Framework's token authentication for TypeScript APIs.
 *
 * The root entry holds what an app composes with, at most 40 runtime names (a test holds it):
 * - composition: `createTessera` over a store from `openStore` (`MigrationsPending` until it is
 *   migrated), settings from the environment;
 * - views: `defineView`, with DRF's `TokenAuthentication`, permissions and throttles;
 * - the errors a handler throws (DRF's exceptions) and configuration errors;
 * - users and tokens: create, issue, rotate, revoke, prune; Django's password validation.
 *
 * Everything else has its own entry point:
 * - frameworks: `tessera-auth/fastify`, `/express`, `/hono`, `/nest`, `/node`;
 * - stores: `tessera-auth/sqlite`, `/postgres`, `/mysql`, and `/redis` for shared throttles;
 * - building an adapter or a store: `tessera-auth/adapter-kit`;
 * - tests: `tessera-auth/testing` (a manual clock, throttling off).
 *
 * Importing this entry loads no database driver or native module: `openStore` loads the one
 * its URL needs. The list below is sorted by source module, which groups it by concept.
 * @packageDocumentation
 */

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
export {
  type LibrarySettings,
  type ServerSettings,
  type StoreSettings,
  settingsOwnedBy,
  type TesseraSettings,
} from './core/config/settings.js';
export {
  librarySettingsFromEnv,
  SettingsError,
  settingsFromEnv,
  storeSettingsFromEnv,
} from './core/config/settings-from-env.js';
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
export type {
  AuthenticationFailureReason,
  RevocationReason,
  TesseraEventMap,
  TesseraEventName,
} from './core/events.js';
export type { Request, ViewRequest } from './core/http/request.js';
export {
  defineView,
  type HandleOptions,
  type Handler,
  type View,
  type ViewOptions,
  type ViewResult,
} from './core/http/view.js';
export type { ViewResponse } from './core/http/view-response.js';
export type { MaybePromise } from './core/maybe-promise.js';
export {
  type PasswordHasher,
  validatePassword,
  type WritableHasher,
} from './core/passwords/index.js';
export type { Store } from './core/store.js';
export { createTessera, type Tessera, type TesseraOptions } from './core/tessera.js';
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
export type { AnonymousUser, RequestUser, User } from './core/users/user.js';
export { type CreateUserInput, createUser } from './core/users/users.js';
export { type OpenStoreOptions, openStore } from './stores/open-store.js';
export { MigrationsPending } from './stores/sql/migrations-pending.js';
