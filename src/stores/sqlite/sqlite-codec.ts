import type { SqlBoolean, SqlDateTime } from '../sql/schema.js';
import type { SqlCodec } from '../sql/sql-codec.js';
import { decodeSqliteDateTime, encodeSqliteDateTime } from './sqlite-datetime.js';
import { translateSqliteError } from './sqlite-errors.js';

/** SQLite as Django uses it: datetimes as naive UTC text, booleans as 0 and 1. */
export const sqliteCodec: SqlCodec = {
  dialect: 'sqlite',
  encodeDate: encodeSqliteDateTime,
  // Anything but text (a number written by hand) reads as the unreadable date, as bad text does.
  decodeDate: (value: SqlDateTime) => (value instanceof Date ? value : decodeSqliteDateTime(value)),
  encodeBoolean: (value: boolean) => (value ? 1 : 0),
  decodeBoolean: (value: SqlBoolean) => value !== 0 && value !== false,
  returnsInsertedId: false,
  translateError: translateSqliteError,
};
