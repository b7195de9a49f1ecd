import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

/** The server the PostgreSQL tests create their databases on (any database of it will do). */
export const POSTGRES_TEST_URL =
  process.env.TESSERA_TEST_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres';

/** The server the MySQL/MariaDB tests create their databases on. */
export const MYSQL_TEST_URL =
  process.env.TESSERA_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';

// A test whose database is down must fail, and fail soon, never hang or skip.
const CONNECT_TIMEOUT_MS = 5000;

/** One SQL server and how to make and drop a database on it. */
interface ServerKind {
  readonly name: string;
  readonly variable: string;
  readonly adminUrl: string;
  /** Runs statements on a short-lived admin connection. */
  admin(statements: readonly string[]): Promise<void>;
  createStatement(database: string): string;
  dropStatement(database: string): string;
}

const postgres: ServerKind = {
  name: 'PostgreSQL',
  variable: 'TESSERA_TEST_POSTGRES_URL',
  adminUrl: POSTGRES_TEST_URL,
  async admin(statements) {
    const client = new pg.Client({
      connectionString: POSTGRES_TEST_URL,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  },
  createStatement: (database) => `CREATE DATABASE ${database} ENCODING 'UTF8'`,
  // FORCE ends any connection a failed test left open, so the drop cannot wait on it.
  dropStatement: (database) => `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
};

const mysqlServer: ServerKind = {
  name: 'MySQL/MariaDB',
  variable: 'TESSERA_TEST_MYSQL_URL',
  adminUrl: MYSQL_TEST_URL,
  async admin(statements) {
    const connection = await mysql.createConnection({
      uri: MYSQL_TEST_URL,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    try {
      for (const statement of statements) await connection.query(statement);
    } finally {
      await connection.end();
    }
  },
  // A case-insensitive default on purpose: tessera's own columns must not depend on it.
  createStatement: (database) =>
    `CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`,
  dropStatement: (database) => `DROP DATABASE IF EXISTS ${database}`,
};

/** A database made for one test, and the URL that reaches it. */
export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
}

/**
 * Makes empty databases named `tessera_test_<random>` on a real server and drops them all at the
 * end; a server that cannot be reached fails the test with the variable that names it.
 * @example
 * const databases = new FreshDatabases('postgres');
 * after(() => databases.dropAll());
 * const { url } = await databases.create();
 */
export class FreshDatabases {
  readonly #server: ServerKind;
  readonly #created: string[] = [];

  constructor(kind: 'postgres' | 'mysql') {
    this.#server = kind === 'postgres' ? postgres : mysqlServer;
  }

  /** The admin URL's server, as the tests expect to reach it (for messages; no password). */
  get serverUrl(): string {
    const url = new URL(this.#server.adminUrl);
    url.password = '';
    return url.href;
  }

  async create(): Promise<FreshDatabase> {
    const name = `tessera_test_${randomBytes(6).toString('hex')}`;
    await this.#run([this.#server.createStatement(name)]);
    this.#created.push(name);
    const url = new URL(this.#server.adminUrl);
    url.pathname = `/${name}`;
    return { name, url: url.href };
  }

  /** Runs statements as the admin user (for a test that needs to arrange the server). */
  async admin(statements: readonly string[]): Promise<void> {
    await this.#run(statements);
  }

  async dropAll(): Promise<void> {
    const names = this.#created.splice(0);
    if (names.length > 0) await this.#run(names.map((name) => this.#server.dropStatement(name)));
  }

  async #run(statements: readonly string[]): Promise<void> {
    try {
      await this.#server.admin(statements);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `${this.#server.name} at ${this.serverUrl}: ${reason} (${this.#server.variable} names ` +
          'the server; `bash .ci/run` starts it)',
        { cause: error },
      );
    }
  }
}
