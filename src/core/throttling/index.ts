export { AnonRateThrottle } from './anon-rate-throttle.js';
export { boundedKey, MAX_THROTTLE_KEY_LENGTH } from './bounded-key.js';
export { checkThrottles } from './check-throttles.js';
export { FailureLimit, type FailureLimitOptions } from './failure-limit.js';
export { ImproperlyConfigured } from './improperly-configured.js';
export { DEFAULT_KEY_FAILURE_RATE, keyGuessLimit } from './key-guess-limit.js';
export {
  DEFAULT_KNOWN_ADDRESSES,
  DEFAULT_LOGIN_FAILURE_RATES,
  type LoginAttempt,
  LoginThrottle,
  type LoginThrottleOptions,
} from './login-throttle.js';
export {
  MemoryThrottleBackend,
  type MemoryThrottleBackendOptions,
} from './memory-throttle-backend.js';
export { parseRate, type ThrottleRate } from './rate.js';
export { ScopedRateThrottle } from './scoped-rate-throttle.js';
export {
  DEFAULT_THROTTLE_RATES,
  SimpleRateThrottle,
  type SimpleRateThrottleOptions,
  type ThrottleRates,
} from './simple-rate-throttle.js';
export { drfWait, type RefusedWindow, waitUntilFree } from './sliding-window.js';
export type { Throttle, ThrottledView } from './throttle.js';
export type {
  RememberedSetLimit,
  ThrottleBackend,
  ThrottleDecision,
  ThrottleRefusal,
  ThrottleReservation,
  WindowLimit,
} from './throttle-backend.js';
export { UserRateThrottle } from './user-rate-throttle.js';
