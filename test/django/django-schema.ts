import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { SharedDatabase } from './shared-database.js';

/**
 * What tessera must leave alone in a database Django made: every table that is not tessera's,
 * its columns and types, indexes and constraints (as each database prints them), sequences, and
 * a digest of each table's rows (never the rows: they hold password hashes and DRF keys).
 */
export interface DjangoSnapshot {
  readonly schema: readonly string[];
  readonly rows: Readonly<Record<string, string>>;
}

/** What tessera adds: its tables, and the triggers on any table (its change triggers). */
export interface TesseraObjects {
  readonly tables: readonly string[];
  readonly triggers: readonly string[];
}

const TESSERA = /^tessera_/;

function rowsDigest(rows: readonly unknown[]): string {
  const lines = rows.map((row) => JSON.stringify(row)).sort();
  return `${lines.length} rows, sha256 ${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
}

function sqliteSnapshot(filename: string): { snapshot: DjangoSnapshot; tessera: TesseraObjects } {
  const db = new Database(filename, { readonly: true });
  try {
    const objects = db
      .prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name')
      .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
    const django = objects.filter((o) => o.type !== 'trigger' && !TESSERA.test(o.tbl_name));
    const tables = django.filter((o) => o.type === 'table').map((o) => o.name);
    const schema = django.map((o) => `${o.type} ${o.name} on ${o.tbl_name}: ${o.sql}`);
    for (const table of tables) {
      for (const column of db.prepare(`PRAGMA table_info("${table}")`).all()) {
        schema.push(`column ${table}: ${JSON.stringify(column)}`);
      }
    }
    const rows: Record<string, string> = {};
    for (const table of tables) {
      let all = db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
      // AUTOINCREMENT's counters: tessera's own tables' rows are tessera's business.
      if (table === 'sqlite_sequence') all = all.filter((row) => !TESSERA.test(String(row.name)));
      rows[table] = rowsDigest(all);
    }
    return {
      snapshot: { schema, rows },
      tessera: {
        tables: objects
          .filter((o) => o.type === 'table' && TESSERA.test(o.name))
          .map((o) => o.name),
        triggers: objects
          .filter((o) => o.type === 'trigger')
          .map((o) => `${o.name} on ${o.tbl_name}`),
      },
    };
  } finally {
    db.close();
  }
}

async function postgresSnapshot(
  url: string,
): Promise<{ snapshot: DjangoSnapshot; tessera: TesseraObjects }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const lines = async (text: string) =>
      (await client.query<{ line: string }>(text)).rows.map((row) => row.line);
    const tables = await lines(`SELECT tablename AS line FROM pg_tables
      WHERE schemaname = 'public' ORDER BY tablename`);
    const django = tables.filter((table) => !TESSERA.test(table));
    const schema = [
      ...(await lines(`SELECT concat_ws(' ', table_name, column_name, ordinal_position, data_type,
          character_maximum_length, numeric_precision, is_nullable, column_default, collation_name) AS line
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name !~ '^tessera_'
        ORDER BY table_name, ordinal_position`)),
      ...(await lines(`SELECT concat_ws(' ', tablename, indexname, indexdef) AS line FROM pg_indexes
        WHERE schemaname = 'public' AND tablename !~ '^tessera_' ORDER BY tablename, indexname`)),
      ...(await lines(`SELECT concat_ws(' ', c.relname, k.conname, k.contype,
          pg_get_constraintdef(k.oid)) AS line
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname !~ '^tessera_' ORDER BY c.relname, k.conname`)),
      ...(await lines(`SELECT concat_ws(' ', sequencename, data_type, last_value) AS line
        FROM pg_sequences WHERE schemaname = 'public' AND sequencename !~ '^tessera_'
        ORDER BY sequencename`)),
    ];
    const rows: Record<string, string> = {};
    for (const table of django) {
      rows[table] = rowsDigest(
        await lines(`SELECT row_to_json(t)::text AS line FROM "${table}" t`),
      );
    }
    const triggers = await lines(`SELECT t.tgname || ' on ' || c.relname AS line
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal ORDER BY 1`);
    return {
      snapshot: { schema, rows },
      tessera: { tables: tables.filter((table) => TESSERA.test(table)), triggers },
    };
  } finally {
    await client.end();
  }
}

// Dates as the server prints them: a digest that does not depend on the test's time zone.
const openMysql = (url: string) => mysql.createConnection({ uri: url, dateStrings: true });

async function mysqlSnapshot(
  url: string,
): Promise<{ snapshot: DjangoSnapshot; tessera: TesseraObjects }> {
  const connection = await openMysql(url);
  try {
    const lines = async (text: string) =>
      (await connection.query<mysql.RowDataPacket[]>(text))[0].map((row) => String(row.line));
    // Every catalogue query is of this database's tables but tessera's (`_` escaped in LIKE).
    const notTessera = (column: string) => `${column} NOT LIKE 'tessera\\_%'`;
    const tables = await lines(`SELECT table_name AS line FROM information_schema.tables
      WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name`);
    const django = tables.filter((table) => !TESSERA.test(table));
    const schema = [
      // AUTO_INCREMENT is MySQL's sequence: tessera must not move Django's counters either.
      ...(await lines(`SELECT concat_ws(' ', 'table', table_name, engine, table_collation,
          auto_increment, create_options) AS line
        FROM information_schema.tables WHERE table_schema = DATABASE() AND ${notTessera('table_name')}
        ORDER BY table_name`)),
      ...(await lines(`SELECT concat_ws(' ', 'column', table_name, column_name, ordinal_position,
          column_type, is_nullable, column_default, extra, character_set_name, collation_name,
          column_key) AS line
        FROM information_schema.columns WHERE table_schema = DATABASE() AND ${notTessera('table_name')}
        ORDER BY table_name, ordinal_position`)),
      ...(await lines(`SELECT concat_ws(' ', 'index', table_name, index_name, seq_in_index,
          column_name, non_unique, index_type, sub_part, collation, nullable) AS line
        FROM information_schema.statistics WHERE table_schema = DATABASE()
          AND ${notTessera('table_name')}
        ORDER BY table_name, index_name, seq_in_index`)),
      ...(await lines(`SELECT concat_ws(' ', 'constraint', c.table_name, c.constraint_name,
          c.constraint_type, k.column_name, k.ordinal_position, k.referenced_table_name,
          k.referenced_column_name, r.update_rule, r.delete_rule) AS line
        FROM information_schema.table_constraints c
        LEFT JOIN information_schema.key_column_usage k
          ON k.constraint_schema = c.constraint_schema AND k.table_name = c.table_name
          AND k.constraint_name = c.constraint_name
        LEFT JOIN information_schema.referential_constraints r
          ON r.constraint_schema = c.constraint_schema AND r.table_name = c.table_name
          AND r.constraint_name = c.constraint_name
        WHERE c.table_schema = DATABASE() AND ${notTessera('c.table_name')}
        ORDER BY c.table_name, c.constraint_name, k.ordinal_position`)),
    ];
    // The server's own DDL too: CHECK clauses, key names and table options in one line each.
    for (const table of django) {
      const [created] = await connection.query<mysql.RowDataPacket[]>(
        `SHOW CREATE TABLE \`${table}\``,
      );
      schema.push(`create ${table}: ${created[0]?.['Create Table']}`);
    }
    const rows: Record<string, string> = {};
    for (const table of django) {
      const [all] = await connection.query<mysql.RowDataPacket[]>(`SELECT * FROM \`${table}\``);
      rows[table] = rowsDigest(all);
    }
    const triggers = await lines(`SELECT concat(trigger_name, ' on ', event_object_table) AS line
      FROM information_schema.triggers WHERE trigger_schema = DATABASE() ORDER BY 1`);
    return {
      snapshot: { schema, rows },
      tessera: { tables: tables.filter((table) => TESSERA.test(table)), triggers },
    };
  } finally {
    await connection.end();
  }
}

/** Django's part of the database, and what tessera has added to it. */
export async function inspect(
  database: SharedDatabase,
): Promise<{ snapshot: DjangoSnapshot; tessera: TesseraObjects }> {
  if (database.kind === 'sqlite') return sqliteSnapshot(database.filename as string);
  if (database.kind === 'mysql') return mysqlSnapshot(database.url);
  return postgresSnapshot(database.url);
}

/** Every row of tessera's own tables as JSON text, to look for a plaintext secret in them. */
export async function tesseraRowsText(database: SharedDatabase): Promise<string> {
  const { tessera } = await inspect(database);
  if (database.kind === 'sqlite') {
    const db = new Database(database.filename as string, { readonly: true });
    try {
      return JSON.stringify(
        tessera.tables.map((table) => db.prepare(`SELECT * FROM "${table}"`).all()),
      );
    } finally {
      db.close();
    }
  }
  if (database.kind === 'mysql') {
    const connection = await openMysql(database.url);
    try {
      const tables = [];
      for (const table of tessera.tables) {
        tables.push((await connection.query(`SELECT * FROM \`${table}\``))[0]);
      }
      return JSON.stringify(tables);
    } finally {
      await connection.end();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const tables = [];
    for (const table of tessera.tables) {
      tables.push((await client.query(`SELECT * FROM "${table}"`)).rows);
    }
    return JSON.stringify(tables);
  } finally {
    await client.end();
  }
}
