import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openStore } from '../../src/stores/open-store.js';
import { DRF_AUTHTOKEN_DDL, type DrfTestKind } from '../cli/drf-authtoken-table.js';
import { FreshDatabases } from '../stores/fresh-database.js';

/** The databases live mode is tested on. */
export type LiveKind = DrfTestKind;

export const LIVE_KINDS: readonly LiveKind[] = ['sqlite', 'postgres', 'mysql'];

/** DRF 3.14's `authtoken_token` as Django 3.2 makes it on each backend (shared with import-drf's tests). */
export const AUTHTOKEN_DDL: Record<LiveKind, readonly string[]> = DRF_AUTHTOKEN_DDL;

/**
 * A plain driver connection of its own, as Django's would be: statements with `?` placeholders,
 * each committed on its own.
 */
export interface RawConnection {
  run(statement: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** A migrated tessera database of `kind`, its URL, and what drops it. */
export interface LiveDatabase {
  readonly kind: LiveKind;
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh database with tessera's migrations applied (no `authtoken_token` yet). */
export async function migratedDatabase(kind: LiveKind): Promise<LiveDatabase> {
  if (kind === 'sqlite') {
    const directory = mkdtempSync(join(tmpdir(), 'tessera-live-drf-'));
    const url = `sqlite:${join(directory, 'db.sqlite3')}`;
    const store = await openStore(url);
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    return { kind, url, drop: async () => rmSync(directory, { recursive: true, force: true }) };
  }
  const databases = new FreshDatabases(kind);
  const { url } = await databases.create({ migrated: true });
  return { kind, url, drop: () => databases.dropAll() };
}

/** Opens `database` with its dialect's own driver, apart from any tessera store. */
export async function openRaw(database: LiveDatabase): Promise<RawConnection> {
  switch (database.kind) {
    case 'sqlite': {
      const db = new Database(database.url.replace(/^sqlite:/, ''));
      return {
        async run(statement, params = []) {
          const prepared = db.prepare(statement);
          if (prepared.reader) return prepared.all(...params) as Record<string, unknown>[];
          prepared.run(...params);
          return [];
        },
        async close() {
          db.close();
        },
      };
    }
    case 'postgres': {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      return {
        async run(statement, params = []) {
          let n = 0;
          const numbered = statement.replace(/\?/g, () => `$${++n}`);
          return (await client.query(numbered, [...params])).rows;
        },
        close: () => client.end(),
      };
    }
    case 'mysql': {
      const connection = await mysql.createConnection({ uri: database.url });
      return {
        async run(statement, params = []) {
          const [rows] = await connection.query(statement, [...params]);
          return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
        },
        close: () => connection.end(),
      };
    }
  }
}

/** `created` as Django writes it on `kind`: naive UTC text on SQLite and MySQL, a timestamp on PostgreSQL. */
export function djangoDate(kind: LiveKind, date: Date): string | Date {
  if (kind === 'postgres') return date;
  return `${date.toISOString().slice(0, 23).replace('T', ' ')}000`;
}

/** Inserts a DRF key as Django's `Token.objects.create` would, from `raw`'s own connection. */
export async function insertDrfKey(
  raw: RawConnection,
  kind: LiveKind,
  key: string,
  userId: number,
): Promise<void> {
  await raw.run(
    `INSERT INTO authtoken_token (${kind === 'mysql' ? '`key`' : '"key"'}, created, user_id) VALUES (?, ?, ?)`,
    [key, djangoDate(kind, new Date()), userId],
  );
}

/** Deletes a DRF key as Django's `token.delete()` would. */
export async function deleteDrfKey(raw: RawConnection, kind: LiveKind, key: string): Promise<void> {
  await raw.run(`DELETE FROM authtoken_token WHERE ${kind === 'mysql' ? '`key`' : '"key"'} = ?`, [
    key,
  ]);
}
