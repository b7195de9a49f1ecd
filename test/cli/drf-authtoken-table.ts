import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** The databases `tessera tokens import-drf` is tested on. */
export type DrfTestKind = 'sqlite' | 'postgres' | 'mysql';

/**
 * DRF 3.14's `authtoken_token`, as `manage.py sqlmigrate authtoken 0001` prints it on Django 3.2
 * for each backend (0002 and 0003 change no column: Meta options and a proxy model).
 */
export const DRF_AUTHTOKEN_DDL: Record<DrfTestKind, readonly string[]> = {
  sqlite: [
    'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED)',
  ],
  postgres: [
    'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, "created" timestamp with time zone NOT NULL, "user_id" integer NOT NULL UNIQUE)',
    'ALTER TABLE "authtoken_token" ADD CONSTRAINT "authtoken_token_user_id_35299eff_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED',
    'CREATE INDEX "authtoken_token_key_10f0b77e_like" ON "authtoken_token" ("key" varchar_pattern_ops)',
  ],
  mysql: [
    'CREATE TABLE `authtoken_token` (`key` varchar(40) NOT NULL PRIMARY KEY, `created` datetime(6) NOT NULL, `user_id` integer NOT NULL UNIQUE)',
    'ALTER TABLE `authtoken_token` ADD CONSTRAINT `authtoken_token_user_id_35299eff_fk_auth_user_id` FOREIGN KEY (`user_id`) REFERENCES `auth_user` (`id`)',
  ],
};

/**
 * A trigger that refuses deleting one user's DRF row, to make `--delete-plaintext` fail after the
 * import has written its copies in the same transaction.
 */
export function refuseDrfDeleteStatements(kind: DrfTestKind, userId: number): string[] {
  switch (kind) {
    case 'sqlite':
      return [
        `CREATE TRIGGER drf_delete_refused BEFORE DELETE ON authtoken_token WHEN old.user_id = ${userId}
          BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
      ];
    case 'postgres':
      return [
        `CREATE FUNCTION drf_delete_refused() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
        `CREATE TRIGGER drf_delete_refused BEFORE DELETE ON authtoken_token
          FOR EACH ROW WHEN (OLD.user_id = ${userId}) EXECUTE PROCEDURE drf_delete_refused()`,
      ];
    case 'mysql':
      return [
        `CREATE TRIGGER drf_delete_refused BEFORE DELETE ON authtoken_token FOR EACH ROW
          BEGIN IF OLD.user_id = ${userId} THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF; END`,
      ];
  }
}

/** Drops what `refuseDrfDeleteStatements` made. */
export function allowDrfDeleteStatements(kind: DrfTestKind): string[] {
  return kind === 'postgres'
    ? ['DROP TRIGGER drf_delete_refused ON authtoken_token', 'DROP FUNCTION drf_delete_refused()']
    : ['DROP TRIGGER drf_delete_refused'];
}

/** A plain driver connection, for arranging and reading tables as Django or an operator would. */
export interface RawConnection {
  /** Runs one statement with `?` placeholders; returns its rows (none for a write). */
  query(statement: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** The names of every table in the database. */
  tables(): Promise<string[]>;
  close(): Promise<void>;
}

/** Opens `url` (a tessera DATABASE_URL) with the dialect's own driver. */
export async function openRaw(kind: DrfTestKind, url: string): Promise<RawConnection> {
  if (kind === 'sqlite') {
    const db = new Database(url.replace(/^sqlite:/, ''));
    return {
      async query(statement, params = []) {
        const prepared = db.prepare(statement);
        if (prepared.reader) return prepared.all(...params) as Record<string, unknown>[];
        prepared.run(...params);
        return [];
      },
      async tables() {
        const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
        return (rows as { name: string }[]).map((row) => row.name);
      },
      async close() {
        db.close();
      },
    };
  }
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      async query(statement, params = []) {
        let index = 0;
        const numbered = statement.replace(/\?/g, () => `$${++index}`);
        return (await client.query(numbered, [...params])).rows;
      },
      async tables() {
        const { rows } = await client.query<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
        );
        return rows.map((row) => row.name);
      },
      async close() {
        await client.end();
      },
    };
  }
  const connection = await mysql.createConnection({ uri: url, timezone: 'Z' });
  return {
    async query(statement, params = []) {
      const [rows] = await connection.query(statement, [...params]);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    async tables() {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
      );
      return rows.map((row) => row.name as string);
    },
    async close() {
      await connection.end();
    },
  };
}
