import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openMysqlStore } from '../../src/stores/mysql/index.js';
import { openPostgresStore } from '../../src/stores/postgres/index.js';

/** The server the PostgreSQL tests create their databases on (any database of it will do). */
export const POSTGRES_TEST_URL =
  process.env.TESSERA_TEST_POSTGRES_URL || 'postgres://root@127.0.0.1:5432/postgres';

/** The server the MySQL/MariaDB tests create their databases on. */
export const MYSQL_TEST_URL =
  process.env.TESSERA_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';

// A test whose database is down must fail, and fail soon, never hang or skip.
const CONNECT_TIMEOUT_MS = 5000;

// Every database a template is copied from starts with this; older ones are dropped.
const TEMPLATE_PREFIX = 'tessera_template_';

// Names the lock that lets one test process at a time build a template (PostgreSQL advisory
// lock key, MariaDB GET_LOCK name): the runner starts two processes, other runs may be going too.
const TEMPLATE_LOCK_KEY = 7_301_955_246_103;
const TEMPLATE_LOCK_NAME = 'tessera_test_template';
const TEMPLATE_LOCK_TIMEOUT_S = 120;

/**
 * The migrated template's name: a digest of the store code (migrations, migrator, codecs), so an
 * edit that changes what migrating builds makes a new template, and every run reuses a current
 * one instead of migrating again.
 */
const TEMPLATE_NAME = `${TEMPLATE_PREFIX}${storeCodeDigest()}`;

function storeCodeDigest(): string {
  const hash = createHash('sha256');
  const root = join(import.meta.dirname, '../../src/stores');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .sort();
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)));
  return hash.digest('hex').slice(0, 16);
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.href;
}

/** One SQL server and how to make, copy and drop a database on it. */
interface ServerKind {
  readonly name: string;
  readonly variable: string;
  readonly adminUrl: string;
  /** Runs statements on a short-lived admin connection. */
  admin(statements: readonly string[]): Promise<void>;
  createStatement(database: string): string;
  dropStatement(database: string): string;
  /** Makes `database` as a copy of the migrated template, building the template when missing. */
  createMigrated(database: string): Promise<void>;
}

/** Migrates the empty database at `url` with tessera's own migrations. */
async function migrate(
  open: (url: string) => Promise<{ migrate(): Promise<string[]>; close(): Promise<void> }>,
  url: string,
): Promise<void> {
  const store = await open(url);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

async function withPostgresAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: POSTGRES_TEST_URL,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    // Ending the session also releases its advisory locks, should `work` have thrown.
    await client.end();
  }
}

const postgres: ServerKind = {
  name: 'PostgreSQL',
  variable: 'TESSERA_TEST_POSTGRES_URL',
  adminUrl: POSTGRES_TEST_URL,
  async admin(statements) {
    await withPostgresAdmin(async (client) => {
      for (const statement of statements) await client.query(statement);
    });
  },
  createStatement: (database) => `CREATE DATABASE ${database} ENCODING 'UTF8'`,
  // FORCE ends any connection a failed test left open, so the drop cannot wait on it.
  dropStatement: (database) => `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`,
  async createMigrated(database) {
    await withPostgresAdmin(async (client) => {
      const templateExists = async () =>
        (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE_NAME]))
          .rowCount === 1;
      // Copies share the lock; building takes it alone, so no copy reads a half-built template
      // and no build drops a template another process is copying.
      await client.query('SELECT pg_advisory_lock_shared($1)', [TEMPLATE_LOCK_KEY]);
      if (!(await templateExists())) {
        await client.query('SELECT pg_advisory_unlock_shared($1)', [TEMPLATE_LOCK_KEY]);
        await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
        if (!(await templateExists())) await buildPostgresTemplate(client);
        await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
        await client.query('SELECT pg_advisory_lock_shared($1)', [TEMPLATE_LOCK_KEY]);
      }
      await client.query(`CREATE DATABASE ${database} TEMPLATE ${TEMPLATE_NAME}`);
      await client.query('SELECT pg_advisory_unlock_shared($1)', [TEMPLATE_LOCK_KEY]);
    });
  },
};

// Migrates a database under a temporary name and renames it, so a template that exists is whole.
async function buildPostgresTemplate(client: pg.Client): Promise<void> {
  const stale = await client.query<{ datname: string }>(
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
    [TEMPLATE_PREFIX],
  );
  for (const { datname } of stale.rows) {
    await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
  const building = `${TEMPLATE_NAME}_${randomBytes(3).toString('hex')}`;
  await client.query(postgres.createStatement(building));
  await migrate((url) => openPostgresStore({ url }), databaseUrl(POSTGRES_TEST_URL, building));
  await client.query(`ALTER DATABASE ${building} RENAME TO ${TEMPLATE_NAME}`);
}

async function withMysqlAdmin<T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({
    uri: MYSQL_TEST_URL,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  try {
    return await work(connection);
  } finally {
    // Ending the connection also releases its GET_LOCK, should `work` have thrown.
    await connection.end();
  }
}

// The table a MariaDB template gets once migrated: its presence says the template is whole.
const TEMPLATE_READY_TABLE = 'tessera_template_ready';

const mysqlServer: ServerKind = {
  name: 'MySQL/MariaDB',
  variable: 'TESSERA_TEST_MYSQL_URL',
  adminUrl: MYSQL_TEST_URL,
  async admin(statements) {
    await withMysqlAdmin(async (connection) => {
      for (const statement of statements) await connection.query(statement);
    });
  },
  // A case-insensitive default on purpose: tessera's own columns must not depend on it.
  createStatement: (database) =>
    `CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`,
  dropStatement: (database) => `DROP DATABASE IF EXISTS ${database}`,
  async createMigrated(database) {
    await withMysqlAdmin(async (connection) => {
      // GET_LOCK is exclusive only: building and copying take turns (a copy is a few statements).
      const [locked] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT GET_LOCK(?, ?) AS ok',
        [TEMPLATE_LOCK_NAME, TEMPLATE_LOCK_TIMEOUT_S],
      );
      if (locked[0]?.ok !== 1)
        throw new Error(`no ${TEMPLATE_LOCK_NAME} lock within ${TEMPLATE_LOCK_TIMEOUT_S} s`);
      try {
        if (!(await mysqlTemplateReady(connection))) await buildMysqlTemplate(connection);
        await copyMysqlTemplate(connection, database);
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [TEMPLATE_LOCK_NAME]);
      }
    });
  },
};

async function mysqlTemplateReady(connection: mysql.Connection): Promise<boolean> {
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
    [TEMPLATE_NAME, TEMPLATE_READY_TABLE],
  );
  return rows.length === 1;
}

async function buildMysqlTemplate(connection: mysql.Connection): Promise<void> {
  const [stale] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ?',
    [`${TEMPLATE_PREFIX.replaceAll('_', '\\_')}%`],
  );
  for (const { name } of stale) await connection.query(`DROP DATABASE IF EXISTS ${name}`);
  await connection.query(mysqlServer.createStatement(TEMPLATE_NAME));
  await migrate((url) => openMysqlStore({ url }), databaseUrl(MYSQL_TEST_URL, TEMPLATE_NAME));
  await connection.query(`CREATE TABLE ${TEMPLATE_NAME}.${TEMPLATE_READY_TABLE} (id int)`);
}

/**
 * MariaDB has no template databases: each table is made again from the template's own
 * `SHOW CREATE TABLE` (which, unlike `CREATE TABLE ... LIKE`, keeps the foreign keys), its rows
 * (the migration log) copied, then any trigger made again the same way.
 */
async function copyMysqlTemplate(connection: mysql.Connection, database: string): Promise<void> {
  await connection.query(mysqlServer.createStatement(database));
  await connection.query(`USE ${database}`);
  const [tables] = await connection.query<mysql.RowDataPacket[]>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = ? AND table_type = 'BASE TABLE' AND table_name <> ?`,
    [TEMPLATE_NAME, TEMPLATE_READY_TABLE],
  );
  // Tables come in any order: a foreign key may name a table not yet made.
  await connection.query('SET foreign_key_checks = 0');
  for (const { name } of tables) {
    const [created] = await connection.query<mysql.RowDataPacket[]>(
      `SHOW CREATE TABLE ${TEMPLATE_NAME}.${name}`,
    );
    await connection.query(created[0]?.['Create Table'] as string);
    await connection.query(
      `INSERT INTO ${database}.${name} SELECT * FROM ${TEMPLATE_NAME}.${name}`,
    );
  }
  await connection.query('SET foreign_key_checks = 1');
  const [triggers] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT trigger_name AS name FROM information_schema.triggers WHERE trigger_schema = ?',
    [TEMPLATE_NAME],
  );
  for (const { name } of triggers) {
    const [created] = await connection.query<mysql.RowDataPacket[]>(
      `SHOW CREATE TRIGGER ${TEMPLATE_NAME}.${name}`,
    );
    await connection.query(created[0]?.['SQL Original Statement'] as string);
  }
}

/** A database made for one test, and the URL that reaches it. */
export interface FreshDatabase {
  readonly name: string;
  readonly url: string;
}

/** How `FreshDatabases.create` makes a database. */
export interface CreateOptions {
  /**
   * True: tessera's migrations are already applied (a copy of a template migrated once per run
   * of the store code), for tests that migrate only to get on with their work. False or absent:
   * an empty database that has never been migrated.
   */
  readonly migrated?: boolean;
}

/**
 * Makes databases named `tessera_test_<random>` on a real server, empty or already migrated, and
 * drops them all at the end; a server that cannot be reached fails the test with the variable
 * that names it.
 * @example
 * const databases = new FreshDatabases('postgres');
 * after(() => databases.dropAll());
 * const { url } = await databases.create({ migrated: true });
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

  async create(options: CreateOptions = {}): Promise<FreshDatabase> {
    const name = `tessera_test_${randomBytes(6).toString('hex')}`;
    // Listed first: a copy that fails half-way is dropped too.
    this.#created.push(name);
    await this.#reporting(() =>
      options.migrated
        ? this.#server.createMigrated(name)
        : this.#server.admin([this.#server.createStatement(name)]),
    );
    return { name, url: databaseUrl(this.#server.adminUrl, name) };
  }

  /** Runs statements as the admin user (for a test that needs to arrange the server). */
  async admin(statements: readonly string[]): Promise<void> {
    await this.#reporting(() => this.#server.admin(statements));
  }

  async dropAll(): Promise<void> {
    const names = this.#created.splice(0);
    if (names.length > 0) {
      await this.#reporting(() =>
        this.#server.admin(names.map((name) => this.#server.dropStatement(name))),
      );
    }
  }

  async #reporting(work: () => Promise<void>): Promise<void> {
    try {
      await work();
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
