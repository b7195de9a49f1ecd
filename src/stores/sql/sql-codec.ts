import type { SqlBoolean, SqlDateTime } from './schema.js';

/** The SQL databases tessera stores users and tokens in. */
export type SqlDialectName = 'sqlite' | 'postgres' | 'mysql';

/**
 * What differs between SQL databases once Kysely has written the query: how dates and booleans
 * travel, how a new row's id comes back, and what a driver error means.
 */
export interface SqlCodec {
  readonly dialect: SqlDialectName;
  encodeDate(date: Date): SqlDateTime;
  decodeDate(value: SqlDateTime): Date;
  encodeBoolean(value: boolean): SqlBoolean;
  decodeBoolean(value: SqlBoolean): boolean;
  /**
   * True when a new row's id must come from `INSERT … RETURNING id` (PostgreSQL); false when the
   * driver reports it (SQLite's `lastInsertRowid`, MySQL's `insertId`).
   */
  readonly returnsInsertedId: boolean;
  /**
   * Turns a driver error into `DuplicateError` (a unique constraint on a username or token name)
   * or `ServiceUnavailable` carrying the original as `cause`.
   */
  translateError(error: unknown): Error;
}
