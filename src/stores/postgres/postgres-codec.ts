import { readableOrUnreadable } from '../../core/time/unreadable-date.js';
import type { SqlBoolean, SqlDateTime } from '../sql/schema.js';
import type { SqlCodec } from '../sql/sql-codec.js';
import { translatePostgresError } from './postgres-errors.js';

/** PostgreSQL through `pg`: `timestamp with time zone` travels as `Date`, booleans as booleans. */
export const postgresCodec: SqlCodec = {
  dialect: 'postgres',
  encodeDate: (date: Date) => date,
  // `infinity` (which pg gives as a number) is no valid date: it reads as the unreadable one.
  decodeDate: (value: SqlDateTime) =>
    readableOrUnreadable(value instanceof Date ? value : new Date(value)),
  encodeBoolean: (value: boolean) => value,
  decodeBoolean: (value: SqlBoolean) => value === true || value === 1,
  returnsInsertedId: true,
  translateError: translatePostgresError,
};
