import { randomBytes } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../column-types.js';
import type { SqlDialectName } from '../sql-codec.js';

/** The name of the row holding the secret key in `tessera_secret`. */
export const SECRET_KEY_NAME = 'secret_key';

/**
 * Creates the admin page's session table, an index for its token list by user, and
 * `tessera_secret`, holding a secret key generated
 * here, once: every worker and node on the database signs with the same key, and a restart
 * keeps it, so sessions and CSRF tokens outlive a deploy.
 */
export function adminMigration(dialect: SqlDialectName): Migration {
  const types = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tessera_admin_session')
        .addColumn('digest', types.digest, (column) => column.notNull().primaryKey())
        .addColumn('user_id', 'integer', (column) => column.notNull())
        .addColumn('user_hash', types.digest, (column) => column.notNull())
        // Milliseconds since the epoch: compared, never shown, and the same in all three databases.
        .addColumn('expires', 'bigint', (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('tessera_admin_session_user')
        .on('tessera_admin_session')
        .column('user_id')
        .execute();
      // The admin page's token list filtered by user walks this index by id, newest first, so a
      // page of a user with a million tokens reads 51 rows, as the unfiltered list does on the key.
      await db.schema
        .createIndex('tessera_token_user_id_id')
        .on('tessera_token')
        .columns(['user_id', 'id'])
        .execute();
      await db.schema
        .createTable('tessera_secret')
        .addColumn('name', 'varchar(32)', (column) => column.notNull().primaryKey())
        .addColumn('value', 'varchar(128)', (column) => column.notNull())
        .execute();
      await (db as Kysely<{ tessera_secret: { name: string; value: string } }>)
        .insertInto('tessera_secret')
        .values({ name: SECRET_KEY_NAME, value: randomBytes(48).toString('base64url') })
        .execute();
    },
  };
}
