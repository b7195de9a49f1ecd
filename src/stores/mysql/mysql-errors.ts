import { DuplicateError } from '../../core/store.js';
import { isStoreError, storeUnavailable } from '../sql/store-unavailable.js';

// MySQL reports no constraint field, only "Duplicate entry '<value>' for key '<name>'" (MySQL 8
// writes `table.name`); the key name is read from the end, past any quote inside the value.
const DUPLICATE_KEY = /for key '(?:[^']*\.)?([^'.]*)'$/;

// `username` is the name MySQL gives the column's inline UNIQUE, in Django's table as in ours.
const DUPLICATE_FIELDS: ReadonlyMap<string, string> = new Map([
  ['username', 'username'],
  ['tessera_token_user_name_key', 'name'],
  ['tessera_token_digest_key', 'digest'],
]);

// ER_DUP_ENTRY. Errors are told apart by number: mysql2 names only MySQL's (MariaDB's own, such
// as 1969 for `max_statement_time`, come with `code: undefined`).
const DUPLICATE_ENTRY = 1062;

interface Mysql2Error extends Error {
  readonly code?: string;
  readonly errno: number;
  readonly sqlState?: string;
}

/**
 * Maps a `mysql2` error to tessera's: a unique key on a username, token name or digest becomes
 * `DuplicateError`; anything else `ServiceUnavailable` with the error as `cause`, stripped of the
 * bound values MySQL and mysql2 copy into it.
 */
export function translateMysqlError(error: unknown): Error {
  if (isStoreError(error)) return error;
  // Kysely's queries go through the text protocol, so mysql2's `sql` holds every value inlined
  // (password hashes, digests): the cause goes to logs without it.
  if (error instanceof Error) Reflect.deleteProperty(error, 'sql');
  if (!isMysql2Error(error) || error.errno !== DUPLICATE_ENTRY) return storeUnavailable(error);
  const key = DUPLICATE_KEY.exec(error.message)?.[1] ?? '';
  const field = DUPLICATE_FIELDS.get(key);
  if (field !== undefined) return new DuplicateError(field);
  // The message (and the stack built from it) quotes the duplicate value: only the key is kept.
  const cause = new Error(`Duplicate entry for key '${key}'`);
  Object.assign(cause, { code: error.code, errno: error.errno, sqlState: error.sqlState });
  return storeUnavailable(cause);
}

function isMysql2Error(error: unknown): error is Mysql2Error {
  return error instanceof Error && typeof (error as { errno?: unknown }).errno === 'number';
}
