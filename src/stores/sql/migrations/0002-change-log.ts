import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../column-types.js';
import type { SqlDialectName } from '../sql-codec.js';

/**
 * Creates `tessera_change`, the log the revocation triggers write on SQLite and MySQL/MariaDB
 * (see change-triggers.ts): every node polls it to drop exactly the tokens and users it names.
 * PostgreSQL's triggers NOTIFY instead, so it needs no table. The triggers themselves are made by
 * `migrate()` after every migration, so a database whose user could not make them gets them on a
 * later `tessera migrate` run with the privilege.
 */
export function changeLogMigration(dialect: SqlDialectName): Migration {
  const types = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'postgres') return;
      await db.schema
        .createTable('tessera_change')
        .addColumn('id', types.id, (column) => {
          const key = column.notNull().primaryKey();
          return types.autoIncrement ? key.autoIncrement() : key;
        })
        .addColumn('token_id', 'integer')
        .addColumn('user_id', 'integer')
        // The database's own clock, so pruning never depends on a node's.
        .addColumn('changed', types.dateTime, (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('tessera_change_changed')
        .on('tessera_change')
        .column('changed')
        .execute();
    },
  };
}
