import type { Kysely, Migration } from 'kysely';
import { columnTypes } from '../column-types.js';
import type { SqlDialectName } from '../sql-codec.js';

/**
 * Creates `tessera_drf_import`, which marks the `default` tokens `tessera tokens import-drf` copied
 * from DRF's `authtoken_token` (see drf-token-import.ts), so a later run tells its own copies from
 * tokens tessera issued: only a copy is ever removed or replaced. A row names the token, its user,
 * the digest it was imported with (a copy tessera has since rotated is no longer a copy) and
 * whether tessera deleted DRF's plaintext row (then a missing DRF row is expected, not a
 * revocation). No foreign key: tessera deletes tokens without knowing of this table, and the row
 * of a copy tessera deleted stays as a record of that revocation (so the key is not imported
 * again) until DRF's row is gone or holds another key.
 */
export function drfImportMigration(dialect: SqlDialectName): Migration {
  const types = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tessera_drf_import')
        .addColumn('token_id', 'integer', (column) => column.notNull().primaryKey())
        .addColumn('user_id', 'integer', (column) => column.notNull())
        .addColumn('digest', types.digest, (column) => column.notNull())
        .addColumn('plaintext_deleted', types.boolean, (column) => column.notNull())
        .execute();
      // The import reads the copies of one batch of DRF rows by user.
      await db.schema
        .createIndex('tessera_drf_import_user')
        .on('tessera_drf_import')
        .column('user_id')
        .execute();
    },
  };
}
