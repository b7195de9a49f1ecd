import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../column-types.js';
import type { SqlDialectName } from '../sql-codec.js';

/**
 * Creates Django's `auth_user` (unless a Django app already did) and `tessera_token`.
 * On SQLite, `auth_user`'s columns come in the order Django's own migrations leave them.
 */
export function initialMigration(dialect: SqlDialectName): Migration {
  const types = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('auth_user')
        .ifNotExists()
        .addColumn('id', types.id, (column) => {
          const key = column.notNull().primaryKey();
          return types.autoIncrement ? key.autoIncrement() : key;
        })
        .addColumn('password', 'varchar(128)', (column) => column.notNull())
        .addColumn('last_login', types.dateTime)
        .addColumn('is_superuser', types.boolean, (column) => column.notNull())
        .addColumn('username', types.name150, (column) => column.notNull().unique())
        .addColumn('last_name', 'varchar(150)', (column) => column.notNull())
        .addColumn('email', 'varchar(254)', (column) => column.notNull())
        .addColumn('is_staff', types.boolean, (column) => column.notNull())
        .addColumn('is_active', types.boolean, (column) => column.notNull())
        .addColumn('date_joined', types.dateTime, (column) => column.notNull())
        .addColumn('first_name', 'varchar(150)', (column) => column.notNull())
        .execute();

      await db.schema
        .createTable('tessera_token')
        .addColumn('id', types.id, (column) => {
          const key = column.notNull().primaryKey();
          return types.autoIncrement ? key.autoIncrement() : key;
        })
        .addColumn('user_id', 'integer', (column) => column.notNull())
        .addColumn('kind', 'varchar(16)', (column) => column.notNull())
        .addColumn('name', types.name150)
        .addColumn('digest', types.digest, (column) => column.notNull())
        .addColumn('preview', 'varchar(16)', (column) => column.notNull())
        .addColumn('scopes', 'text', (column) => column.notNull().defaultTo(types.allScopesDefault))
        .addColumn('created', types.dateTime, (column) => column.notNull())
        .addColumn('expires', types.dateTime)
        .addColumn('last_used', types.dateTime)
        .addColumn('sliding_seconds', 'integer')
        .addColumn('max_expires', types.dateTime)
        .addUniqueConstraint('tessera_token_digest_key', ['digest'])
        // NULL names (login tokens) never collide: NULLs are distinct in all three databases.
        .addUniqueConstraint('tessera_token_user_name_key', ['user_id', 'name'])
        // No ON DELETE CASCADE: tessera deletes a user's tokens itself, in the same transaction.
        .addForeignKeyConstraint('tessera_token_user_id_fk', ['user_id'], 'auth_user', ['id'])
        .execute();

      // Serves the default-token lookup, login-token trimming and per-user listings.
      await db.schema
        .createIndex('tessera_token_user_kind_created')
        .on('tessera_token')
        .columns(['user_id', 'kind', 'created'])
        .execute();
    },
  };
}
