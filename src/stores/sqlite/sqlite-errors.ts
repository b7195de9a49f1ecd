import { DuplicateError } from '../../core/store.js';
import { isStoreError, storeUnavailable } from '../sql/store-unavailable.js';

// SQLite names the columns of the violated constraint: `UNIQUE constraint failed: t.a, t.b`.
const DUPLICATE_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['auth_user.username', 'username'],
  ['tessera_token.user_id, tessera_token.name', 'name'],
  ['tessera_token.digest', 'digest'],
];

/**
 * Maps a better-sqlite3 error to tessera's: a unique constraint on a username, token name or
 * digest becomes `DuplicateError`; anything else `ServiceUnavailable` with the error as `cause`.
 */
export function translateSqliteError(error: unknown): Error {
  if (isStoreError(error)) return error;
  if (isSqliteError(error) && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    for (const [columns, field] of DUPLICATE_FIELDS) {
      if (error.message.endsWith(columns)) return new DuplicateError(field);
    }
  }
  return storeUnavailable(error);
}

function isSqliteError(error: unknown): error is Error & { readonly code: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}
