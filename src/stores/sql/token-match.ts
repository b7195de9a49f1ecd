import type { TokenMatch } from '../../core/store.js';
import {
  TOKEN_COLUMNS,
  type TokenRow,
  toToken,
  toUser,
  USER_COLUMNS,
  type UserRow,
} from './rows.js';
import type { SqlCodec } from './sql-codec.js';

/** A row of the per-request lookup: the token's columns, then its user's (id as `user_id`). */
export type TokenMatchRow = TokenRow & Omit<UserRow, 'id'>;

const USER_COLUMNS_BUT_ID = USER_COLUMNS.filter((column) => column !== 'id');

/**
 * The per-request lookup for servers (PostgreSQL, MySQL): one statement joining the token, found by
 * its digest's unique index, to its user by primary key. Its columns come from `TOKEN_COLUMNS` and
 * `USER_COLUMNS`, so it reads whatever `getToken` reads; SQLite's hand-written statement
 * (`sqlite-token-lookup.ts`) must list the same columns.
 * @example
 * tokenMatchSql('"', '$1'); // PostgreSQL
 */
export function tokenMatchSql(quote: '"' | '`', placeholder: string): string {
  const column = (table: string, name: string) => `${table}.${quote}${name}${quote}`;
  const columns = [
    ...TOKEN_COLUMNS.map((name) => column('t', name)),
    ...USER_COLUMNS_BUT_ID.map((name) => column('u', name)),
  ];
  return (
    `SELECT ${columns.join(', ')} ` +
    `FROM ${quote}tessera_token${quote} AS t ` +
    `JOIN ${quote}auth_user${quote} AS u ON u.${quote}id${quote} = t.${quote}user_id${quote} ` +
    `WHERE t.${quote}digest${quote} = ${placeholder}`
  );
}

/** Makes a `TokenMatch` of a lookup row, with the codec of the database that returned it. */
export function toTokenMatch(row: TokenMatchRow, codec: SqlCodec): TokenMatch {
  return { token: toToken(row, codec), user: toUser({ ...row, id: row.user_id }, codec) };
}
