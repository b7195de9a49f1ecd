/**
 * tessera: Django REST Framework's token authentication for TypeScript APIs.
 * The framework-free core; adapters and stores are subpath exports (`tessera-auth/fastify`,
 * `tessera-auth/sqlite`, …).
 */

export type { Authentication, Authenticator } from './core/auth/authenticator.js';
export { parseAuthorizationHeader } from './core/auth/authorization-header.js';
export {
  type ClientAddressResolver,
  clientAddress,
  clientAddressResolver,
  peerAddress,
} from './core/auth/client-address.js';
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
  loadOptionalExport,
  type ModuleLoader,
  OptionalPackageError,
} from './core/config/optional-package.js';
export { DEFAULT_SETTINGS, type TesseraSettings, THROTTLING_OFF } from './core/config/settings.js';
export { SettingsError, settingsFromEnv } from './core/config/settings-from-env.js';
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
export { handlerErrorResponse } from './core/http/api-error-response.js';
export { type NodeViewRequestOptions, nodeViewRequest } from './core/http/node-view-request.js';
export { writeViewResponse } from './core/http/node-view-response.js';
export type { Request, ViewRequest } from './core/http/request.js';
export {
  defineRouteGuard,
  type RouteGuard,
  type RouteGuardOptions,
} from './core/http/route-guard.js';
export {
  defineView,
  type HandleOptions,
  type Handler,
  type View,
  type ViewOptions,
  type ViewResult,
} from './core/http/view.js';
export type { ViewResponse } from './core/http/view-response.js';
export {
  type Invalidation,
  InvalidationNotPublished,
  type InvalidationSource,
  type InvalidationSubscriber,
} from './core/invalidation.js';
export { PasswordHasher, validatePassword } from './core/passwords/index.js';
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
export { type Clock, ManualClock, systemClock } from './core/time/clock.js';
export { parseDuration } from './core/time/duration.js';
export {
  generateKey,
  isWellFormedKey,
  KEY_PATTERN,
  keyDigest,
  keyPreview,
} from './core/tokens/key-format.js';
export { grants, HasScope, isValidScope, TOKENS_SCOPE } from './core/tokens/scopes.js';
export type { Token, TokenKind } from './core/tokens/token.js';
export { TokenCache, type TokenCacheOptions } from './core/tokens/token-cache.js';
export {
  type IssuedToken,
  issueDefaultToken,
  issueLoginToken,
  newToken,
} from './core/tokens/token-issuer.js';
export {
  createNamedToken,
  type NamedTokenInput,
  pruneExpiredTokens,
  revokeToken,
  revokeUserTokens,
  rotateToken,
  type TokenManagementContext,
} from './core/tokens/token-management.js';
export { describeToken, type TokenListing } from './core/tokens/token-representation.js';
export { TokenUseRecorder } from './core/tokens/token-use-recorder.js';
export {
  ANONYMOUS_USER,
  type AnonymousUser,
  type RequestUser,
  type User,
} from './core/users/user.js';
export { type CreateUserInput, createUser } from './core/users/users.js';
export { logoutAllView, logoutView } from './core/views/logout.js';
export {
  authenticateUser,
  type ObtainTokenOptions,
  obtainTokenView,
} from './core/views/obtain-token.js';
export { type TokenApiViews, tokenApiViews } from './core/views/token-api.js';
export { type OpenStoreOptions, openStore, type StoreSettings } from './stores/open-store.js';
