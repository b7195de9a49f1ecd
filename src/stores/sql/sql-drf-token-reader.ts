import type { Kysely } from 'kysely';
import type { DrfTokenReader, DrfTokenRow } from '../../core/tokens/drf-token-reader.js';
import { drfTokenTableExists } from './drf-token-import.js';
import { toUser, USER_COLUMNS } from './rows.js';
import type { Database, SqlDateTime } from './schema.js';
import type { SqlCodec } from './sql-codec.js';

/** DRF's table as live mode reads it (`rest_framework.authtoken` migration 0001). */
interface LiveDrfDatabase extends Database {
  authtoken_token: { key: string; user_id: number; created: SqlDateTime };
}

const USER_COLUMNS_OF_U = USER_COLUMNS.map((column) => `u.${column}` as const);

/**
 * Live mode's read of Django's `authtoken_token`, joined with `auth_user`, on the store's
 * connections: one SELECT by primary key per request, never a write.
 */
export class SqlDrfTokenReader implements DrfTokenReader {
  readonly #db: Kysely<Database>;
  readonly #codec: SqlCodec;
  readonly #guard: <T>(work: () => Promise<T>) => Promise<T>;

  /** `guard` is the store's: it waits for migrations and translates driver errors (503). */
  constructor(
    db: Kysely<Database>,
    codec: SqlCodec,
    guard: <T>(work: () => Promise<T>) => Promise<T>,
  ) {
    this.#db = db;
    this.#codec = codec;
    this.#guard = guard;
  }

  findDrfToken(key: string): Promise<DrfTokenRow | null> {
    return this.#guard(async () => {
      const row = await this.#db
        .withTables<{ authtoken_token: LiveDrfDatabase['authtoken_token'] }>()
        .selectFrom('authtoken_token as k')
        .innerJoin('auth_user as u', 'u.id', 'k.user_id')
        .select(['k.key', 'k.created', ...USER_COLUMNS_OF_U])
        .where('k.key', '=', key)
        .executeTakeFirst();
      // MySQL compares with the column's collation (often case- and trailing-space-insensitive);
      // DRF's key is matched exactly, as on SQLite and PostgreSQL.
      if (row === undefined || row.key !== key) return null;
      return { user: toUser(row, this.#codec), created: this.#codec.decodeDate(row.created) };
    });
  }

  hasDrfTokenTable(): Promise<boolean> {
    return this.#guard(() => drfTokenTableExists(this.#db, this.#codec.dialect));
  }
}
