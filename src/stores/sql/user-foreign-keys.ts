import { type Kysely, sql } from 'kysely';
import type { SqlDialectName } from './sql-codec.js';

/** A foreign key from some table to `auth_user`, as the database's catalogue lists it. */
export interface UserForeignKey {
  /** The referring table's name as printed: `schema.table` when not in the current schema. */
  readonly name: string;
  /** The referring table's schema (PostgreSQL, MySQL), or null on SQLite. */
  readonly schema: string | null;
  readonly table: string;
  /** Pairs of (referring column, `auth_user` column), in the key's order. */
  readonly columns: readonly (readonly [column: string, referenced: string])[];
  /**
   * True when the database itself deletes or clears the rows with the user (ON DELETE CASCADE,
   * SET NULL or SET DEFAULT): such a key never refuses the deletion. Django makes none of these;
   * its foreign keys are all NO ACTION in the database, whatever `on_delete` says.
   */
  readonly handledByDatabase: boolean;
}

/** One column of one key, as each catalogue query returns it. */
interface KeyColumnRow {
  name: string;
  schema: string | null;
  table: string;
  key_id: string | number;
  column: string;
  referenced: string | null;
  on_delete: string;
}

/**
 * Every foreign key to `auth_user`, read from the catalogue rather than a fixed list, so an app's
 * own table (an order's `user_id`) is found as Django's are.
 */
export async function userForeignKeys(
  db: Kysely<unknown>,
  dialect: SqlDialectName,
): Promise<UserForeignKey[]> {
  const { rows } = await CATALOGUE_QUERIES[dialect].execute(db);
  const keys = new Map<string, UserForeignKey & { columns: [string, string][] }>();
  for (const row of rows) {
    const id = `${row.name}\0${row.key_id}`;
    let key = keys.get(id);
    if (!key) {
      key = {
        name: row.name,
        schema: row.schema,
        table: row.table,
        columns: [],
        handledByDatabase: HANDLED_BY_DATABASE.has(row.on_delete.toUpperCase()),
      };
      keys.set(id, key);
    }
    // SQLite leaves `to` empty for a key naming the parent table alone: its primary key.
    key.columns.push([row.column, row.referenced ?? 'id']);
  }
  return [...keys.values()];
}

// SQLite and MySQL name the rule; PostgreSQL's `confdeltype` is a letter (c, n, d).
const HANDLED_BY_DATABASE = new Set(['CASCADE', 'SET NULL', 'SET DEFAULT', 'C', 'N', 'D']);

const CATALOGUE_QUERIES = {
  // pragma_foreign_key_list over every table: SQLite keeps no other catalogue of foreign keys.
  sqlite: sql<KeyColumnRow>`
    SELECT m.name AS name, NULL AS schema, m.name AS "table", p.id AS key_id,
           p."from" AS "column", p."to" AS referenced, p.on_delete AS on_delete
      FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS p
     WHERE m.type = 'table' AND lower(p."table") = 'auth_user'
     ORDER BY m.name, p.id, p.seq`,
  // The `auth_user` the search path finds, as tessera's own queries do; a partition's copy of
  // its parent's key (conparentid) is left out so its rows are not counted twice.
  postgres: sql<KeyColumnRow>`
    SELECT CASE WHEN n.nspname = current_schema() THEN c.relname
                ELSE n.nspname || '.' || c.relname END AS name,
           n.nspname AS schema, c.relname AS "table", k.oid::text AS key_id,
           a.attname AS "column", r.attname AS referenced, k.confdeltype::text AS on_delete
      FROM pg_constraint AS k
      JOIN pg_class AS c ON c.oid = k.conrelid
      JOIN pg_namespace AS n ON n.oid = c.relnamespace
      CROSS JOIN LATERAL unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(attnum, refnum, seq)
      JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
      JOIN pg_attribute AS r ON r.attrelid = k.confrelid AND r.attnum = u.refnum
     WHERE k.contype = 'f' AND k.conparentid = 0 AND k.confrelid = to_regclass('auth_user')
     ORDER BY 1, k.oid, u.seq`,
  // The current schema's `auth_user`; the referring table may be in any schema.
  mysql: sql<KeyColumnRow>`
    SELECT IF(k.TABLE_SCHEMA = DATABASE(), k.TABLE_NAME,
              CONCAT(k.TABLE_SCHEMA, '.', k.TABLE_NAME)) AS name,
           k.TABLE_SCHEMA AS ${sql.id('schema')}, k.TABLE_NAME AS ${sql.id('table')},
           k.CONSTRAINT_NAME AS key_id, k.COLUMN_NAME AS ${sql.id('column')},
           k.REFERENCED_COLUMN_NAME AS referenced, r.DELETE_RULE AS on_delete
      FROM information_schema.KEY_COLUMN_USAGE AS k
      JOIN information_schema.REFERENTIAL_CONSTRAINTS AS r
        ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
       AND r.TABLE_NAME = k.TABLE_NAME
     WHERE k.REFERENCED_TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME = 'auth_user'
     ORDER BY name, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
} as const;
