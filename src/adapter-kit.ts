/**
 * `tessera-auth/adapter-kit`: the parts tessera's own adapters and stores are built from, for
 * wiring tessera into another framework or another database. An app needs none of it: the root
 * entry (`tessera-auth`) and a framework's entry (`tessera-auth/express`, …) cover apps.
 *
 * - requests and responses: turn a framework's request into a `ViewRequest`, run a view or a
 *   route guard, and write its `ViewResponse` back;
 * - the errors the request pipeline itself raises (405, 406, 413, 415, 500, 503);
 * - the pieces `createTessera` wires: throttle backends and limits, the token cache, last-used
 *   recording, events, the built-in views;
 * - the store contract's parts and the key format a store keeps digests of;
 * - Django's password hasher, and loading an optional package (a driver) with a clear error;
 * - coming from DRF: its 40-hex keys, live reads of `authtoken_token`, `import-drf`'s report, and
 *   the refusal to delete a user other tables (Django's) still refer to.
 *
 * The list is sorted by source module, which groups it by concept.
 * @packageDocumentation
 */

export { parseAuthorizationHeader } from './core/auth/authorization-header.js';
export {
  type ClientAddressResolver,
  clientAddress,
  clientAddressResolver,
  peerAddress,
} from './core/auth/client-address.js';
export {
  LIVE_DRF_KEY_MANAGED_BY_DJANGO,
  NotLiveDrfKey,
} from './core/auth/live-drf-key-permission.js';
export {
  LiveDrfKeys,
  type LiveDrfKeysOptions,
  requireDrfTokenTable,
} from './core/auth/live-drf-keys.js';
export {
  loadOptionalExport,
  type ModuleLoader,
  OptionalPackageError,
} from './core/config/optional-package.js';
export { DEFAULT_SETTINGS } from './core/config/settings.js';
export {
  MethodNotAllowed,
  NotAcceptable,
  PayloadTooLarge,
  ServerError,
  ServiceUnavailable,
  UnsupportedMediaType,
} from './core/errors.js';
export { TesseraEvents } from './core/events.js';
export { apiErrorResponse, handlerErrorResponse } from './core/http/api-error-response.js';
export {
  type NodeRequestMessage,
  type NodeViewRequestOptions,
  nodeViewRequest,
} from './core/http/node-view-request.js';
export { writeViewResponse } from './core/http/node-view-response.js';
export { headersToSend } from './core/http/response-headers.js';
export {
  defineRouteGuard,
  type GuardResult,
  type RouteGuard,
  type RouteGuardOptions,
} from './core/http/route-guard.js';
export {
  type Invalidation,
  InvalidationNotPublished,
  type InvalidationSource,
  type InvalidationSubscriber,
} from './core/invalidation.js';
export type { InvalidationChannel } from './core/invalidation-channel.js';
export { isPromiseLike, type MaybePromise } from './core/maybe-promise.js';
export { PasswordHasher, WRITABLE_HASHERS } from './core/passwords/index.js';
export {
  type DeleteUserOptions,
  DuplicateError,
  type NewToken,
  type NewUser,
  type TokenLookup,
  type TokenMatch,
  type TokenStore,
  type TokenUse,
  type UserChanges,
  type UserStore,
} from './core/store.js';
export {
  checkThrottles,
  DEFAULT_KEY_FAILURE_RATE,
  DEFAULT_LOGIN_FAILURE_RATES,
  DEFAULT_THROTTLE_RATES,
  FailureLimit,
  type FailureLimitOptions,
  keyGuessLimit,
  LoginThrottle,
  type LoginThrottleOptions,
  MemoryThrottleBackend,
  type MemoryThrottleBackendOptions,
  parseRate,
  type ThrottleDecision,
  type ThrottledView,
  type ThrottleRefusal,
  type ThrottleReservation,
  type WindowLimit,
} from './core/throttling/index.js';
export { parseDuration } from './core/time/duration.js';
export {
  type DrfTokenHeldBack,
  type DrfTokenImportOptions,
  type DrfTokenImportReport,
  DrfTokenTableMissing,
} from './core/tokens/drf-token-import.js';
export {
  type DrfTokenReader,
  type DrfTokenRow,
  DrfTokenTableAbsent,
} from './core/tokens/drf-token-reader.js';
export {
  generateKey,
  isWellFormedKey,
  KEY_PATTERN,
  keyDigest,
  keyPreview,
} from './core/tokens/key-format.js';
export { isLegacyKey, LEGACY_KEY_LENGTH } from './core/tokens/legacy-key-format.js';
export { isLiveDrfToken, LIVE_DRF_TOKEN_ID } from './core/tokens/live-drf-token.js';
export { grants, isValidScope, TOKENS_SCOPE } from './core/tokens/scopes.js';
export { TokenCache, type TokenCacheOptions } from './core/tokens/token-cache.js';
export {
  type IssueLoginTokenOptions,
  issueLoginToken,
  type NewTokenOptions,
  newToken,
} from './core/tokens/token-issuer.js';
export type { TokenManagementContext } from './core/tokens/token-management.js';
export { describeToken, type TokenListing } from './core/tokens/token-representation.js';
export { TokenUseRecorder } from './core/tokens/token-use-recorder.js';
export { ANONYMOUS_USER } from './core/users/user.js';
export { forwardAuthView } from './core/views/forward-auth.js';
export { logoutAllView, logoutView } from './core/views/logout.js';
export {
  authenticateUser,
  type ObtainTokenOptions,
  obtainTokenView,
} from './core/views/obtain-token.js';
export { type TokenApiViews, tokenApiViews } from './core/views/token-api.js';
export {
  type UserReference,
  UserReferenced,
} from './stores/sql/user-referenced.js';
