import { DuplicateError } from '../../core/store.js';
import { isStoreError, storeUnavailable } from '../sql/store-unavailable.js';

// SQLSTATE 23505; PostgreSQL names the violated constraint in the error's `constraint` field.
const UNIQUE_VIOLATION = '23505';

// `auth_user_username_key` is also the name Django's own migration gives the constraint.
const DUPLICATE_FIELDS: ReadonlyMap<string, string> = new Map([
  ['auth_user_username_key', 'username'],
  ['tessera_token_user_name_key', 'name'],
  ['tessera_token_digest_key', 'digest'],
]);

interface PgError extends Error {
  readonly code: string;
  readonly constraint?: string;
  detail?: string;
}

/**
 * Maps a `pg` error to tessera's: a unique constraint on a username, token name or digest becomes
 * `DuplicateError` (by constraint name, never by message); anything else `ServiceUnavailable`
 * with the error as `cause`.
 */
export function translatePostgresError(error: unknown): Error {
  if (isStoreError(error)) return error;
  if (isPgError(error)) {
    const field =
      error.code === UNIQUE_VIOLATION ? DUPLICATE_FIELDS.get(error.constraint ?? '') : undefined;
    if (field !== undefined) return new DuplicateError(field);
    // Integrity errors (class 23) spell out the row in `detail` ("Key (digest)=(…)", "Failing
    // row contains (…)", a password hash included): the cause goes to logs, so it loses them.
    if (error.code.startsWith('23')) Reflect.deleteProperty(error, 'detail');
  }
  return storeUnavailable(error);
}

function isPgError(error: unknown): error is PgError {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}
