import { readableOrUnreadable } from '../../core/time/unreadable-date.js';
import type { SqlBoolean, SqlDateTime } from '../sql/schema.js';
import type { SqlCodec } from '../sql/sql-codec.js';
import { translateMysqlError } from './mysql-errors.js';

/**
 * MySQL and MariaDB through `mysql2` with `timezone: 'Z'`: `datetime(6)` holds naive UTC and
 * travels as `Date`; `bool` is `tinyint(1)`, 0 or 1, as in Django's tables.
 */
export const mysqlCodec: SqlCodec = {
  dialect: 'mysql',
  encodeDate: (date: Date) => date,
  // A zero date (which mysql2 gives as an Invalid Date) reads as the unreadable date.
  decodeDate: (value: SqlDateTime) =>
    readableOrUnreadable(value instanceof Date ? value : new Date(value)),
  encodeBoolean: (value: boolean) => (value ? 1 : 0),
  decodeBoolean: (value: SqlBoolean) => value !== 0 && value !== false,
  returnsInsertedId: false,
  translateError: translateMysqlError,
};
