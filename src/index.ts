/**
 * tessera: Django REST Framework's token authentication for TypeScript APIs.
 * The framework-free core; adapters and stores are subpath exports (`tessera-auth/fastify`,
 * `tessera-auth/sqlite`, …).
 */

export { handlerErrorResponse } from './core/api-error-response.js';
export type { Authentication, Authenticator } from './core/authenticator.js';
export { parseAuthorizationHeader } from './core/authorization-header.js';
export {
  type ClientAddressResolver,
  clientAddress,
  clientAddressResolver,
  peerAddress,
} from './core/client-address.js';
export { type Clock, ManualClock, systemClock } from './core/clock.js';
export { parseDuration } from './core/duration.js';
export {
  ApiError,
  AuthenticationFailed,
  MethodNotAllowed,
  NotAcceptable,
  NotAuthenticated,
  NotFound,
  ParseError,
  PayloadTooLarge,
  PermissionDenied,
  ServerError,
  ServiceUnavailable,
  Throttled,
  UnsupportedMediaType,
  ValidationError,
} from './core/errors.js';
export {
  type AuthenticationFailureReason,
  type RevocationReason,
  type TesseraEventMap,
  type TesseraEventName,
  TesseraEvents,
} from './core/events.js';
export {
  type Invalidation,
  InvalidationNotPublished,
  type InvalidationSource,
  type InvalidationSubscriber,
} from './core/invalidation.js';
export {
  generateKey,
  isWellFormedKey,
  KEY_PATTERN,
  keyDigest,
  keyPreview,
} from './core/key-format.js';
export { type NodeViewRequestOptions, nodeViewRequest } from './core/node-view-request.js';
export { writeViewResponse } from './core/node-view-response.js';
export {
  loadOptionalExport,
  type ModuleLoader,
  OptionalPackageError,
} from './core/optional-package.js';
export { PasswordHasher, validatePassword } from './core/passwords/index.js';
export { and, not, or } from './core/permission-composition.js';
export {
  AllowAny,
  IsAdminUser,
  IsAuthenticated,
  IsAuthenticatedOrReadOnly,
  type Permission,
  SAFE_METHODS,
} from './core/permissions.js';
export type { Request, ViewRequest } from './core/request.js';
export { defineRouteGuard, type RouteGuard, type RouteGuardOptions } from './core/route-guard.js';
export { grants, HasScope, isValidScope, TOKENS_SCOPE } from './core/scopes.js';
export { DEFAULT_SETTINGS, type TesseraSettings, THROTTLING_OFF } from './core/settings.js';
export { SettingsError, settingsFromEnv } from './core/settings-from-env.js';
export type {
  NewToken,
  NewUser,
  Store,
  TokenLookup,
  TokenMatch,
  TokenStore,
  TokenUse,
  UserChanges,
  UserStore,
} from './core/store.js';
export { DuplicateError } from './core/store.js';
export { createTessera, type Tessera, type TesseraOptions } from './core/tessera.js';
export {
  AnonRateThrottle,
  checkThrottles,
  DEFAULT_KEY_FAILURE_RATE,
  DEFAULT_LOGIN_FAILURE_RATES,
  DEFAULT_THROTTLE_RATES,
  FailureLimit,
  type FailureLimitOptions,
  ImproperlyConfigured,
  keyGuessLimit,
  LoginThrottle,
  type LoginThrottleOptions,
  MemoryThrottleBackend,
  type MemoryThrottleBackendOptions,
  parseRate,
  ScopedRateThrottle,
  SimpleRateThrottle,
  type SimpleRateThrottleOptions,
  type Throttle,
  type ThrottleBackend,
  type ThrottleDecision,
  type ThrottledView,
  type ThrottleRate,
  type ThrottleRates,
  type ThrottleRefusal,
  type ThrottleReservation,
  UserRateThrottle,
  type WindowLimit,
} from './core/throttling/index.js';
export type { Token, TokenKind } from './core/token.js';
export {
  TokenAuthentication,
  type TokenAuthenticationOptions,
} from './core/token-authentication.js';
export { TokenCache, type TokenCacheOptions } from './core/token-cache.js';
export {
  type IssuedToken,
  issueDefaultToken,
  issueLoginToken,
  newToken,
} from './core/token-issuer.js';
export {
  createNamedToken,
  type NamedTokenInput,
  pruneExpiredTokens,
  revokeToken,
  revokeUserTokens,
  rotateToken,
  type TokenManagementContext,
} from './core/token-management.js';
export { describeToken, type TokenListing } from './core/token-representation.js';
export { TokenUseRecorder } from './core/token-use-recorder.js';
export { ANONYMOUS_USER, type AnonymousUser, type RequestUser, type User } from './core/user.js';
export { type CreateUserInput, createUser } from './core/users.js';
export {
  defineView,
  type HandleOptions,
  type Handler,
  type View,
  type ViewOptions,
  type ViewResult,
} from './core/view.js';
export type { ViewResponse } from './core/view-response.js';
export { logoutAllView, logoutView } from './core/views/logout.js';
export {
  authenticateUser,
  type ObtainTokenOptions,
  obtainTokenView,
} from './core/views/obtain-token.js';
export { type TokenApiViews, tokenApiViews } from './core/views/token-api.js';
export { type OpenStoreOptions, openStore, type StoreSettings } from './stores/open-store.js';
