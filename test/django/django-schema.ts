import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
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

/** Django's part of the database, and what tessera has added to it. */
export async function inspect(
  database: SharedDatabase,
): Promise<{ snapshot: DjangoSnapshot; tessera: TesseraObjects }> {
  if (database.kind === 'sqlite') return sqliteSnapshot(database.filename as string);
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
