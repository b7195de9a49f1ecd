import { ServiceUnavailable } from '../../core/errors.js';
import { DuplicateError } from '../../core/store.js';

/**
 * Wraps a driver failure as a 503 that keeps the original error as `cause` for logs; its own
 * message is fixed, so no bound value (a digest, a password hash) can leak into it.
 */
export function storeUnavailable(cause: unknown): ServiceUnavailable {
  const error = new ServiceUnavailable();
  error.cause = cause;
  return error;
}

/** True for the errors a store throws on purpose, which must pass through translation untouched. */
export function isStoreError(error: unknown): error is DuplicateError | ServiceUnavailable {
  return error instanceof DuplicateError || error instanceof ServiceUnavailable;
}
