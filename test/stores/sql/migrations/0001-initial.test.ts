import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { initialMigration } from '../../../../src/stores/sql/migrations/0001-initial.js';
import type { SqlDialectName } from '../../../../src/stores/sql/sql-codec.js';

/** A driver that keeps the SQL it is given: the DDL each database would receive, without one. */
class RecordingDriver implements Driver {
  readonly statements: string[] = [];
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        this.statements.push(query.sql);
        return { rows: [] };
      },
      streamQuery: () => {
        throw new Error('not used');
      },
    };
  }
  async beginTransaction(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

const PARTS: Record<SqlDialectName, () => { adapter: DialectAdapter; compiler: QueryCompiler }> = {
  sqlite: () => ({ adapter: new SqliteAdapter(), compiler: new SqliteQueryCompiler() }),
  postgres: () => ({ adapter: new PostgresAdapter(), compiler: new PostgresQueryCompiler() }),
  mysql: () => ({ adapter: new MysqlAdapter(), compiler: new MysqlQueryCompiler() }),
};

async function ddl(dialect: SqlDialectName): Promise<string[]> {
  const driver = new RecordingDriver();
  const { adapter, compiler } = PARTS[dialect]();
  const db = new Kysely<unknown>({
    dialect: {
      createAdapter: () => adapter,
      createDriver: () => driver,
      createQueryCompiler: () => compiler,
      createIntrospector: (kysely) =>
        dialect === 'sqlite'
          ? new SqliteIntrospector(kysely)
          : dialect === 'postgres'
            ? new PostgresIntrospector(kysely)
            : new MysqlIntrospector(kysely),
    },
  });
  await initialMigration(dialect).up(db);
  await db.destroy();
  return driver.statements;
}

describe('0001_initial', () => {
  test('SQLite gets Django’s types and a table it creates only when Django has not', async () => {
    const [authUser = '', token = '', index = ''] = await ddl('sqlite');
    assert.match(authUser, /^create table if not exists "auth_user"/);
    assert.match(authUser, /"id" integer not null primary key autoincrement/);
    assert.match(authUser, /"is_superuser" bool not null/);
    assert.match(authUser, /"last_login" datetime,/);
    assert.match(authUser, /"username" varchar\(150\) not null unique/);
    assert.match(token, /^create table "tessera_token"/);
    assert.match(token, /"scopes" text default '\["\*"\]' not null/);
    assert.match(token, /constraint "tessera_token_user_name_key" unique \("user_id", "name"\)/);
    assert.match(token, /foreign key \("user_id"\) references "auth_user" \("id"\)\)$/);
    assert.doesNotMatch(token, /cascade/i);
    assert.match(index, /create index "tessera_token_user_kind_created" on "tessera_token"/);
  });

  test('PostgreSQL gets serial, timestamp with time zone and boolean', async () => {
    const [authUser = '', token = ''] = await ddl('postgres');
    assert.match(authUser, /"id" serial not null primary key,/);
    assert.match(authUser, /"date_joined" timestamp with time zone not null/);
    assert.match(authUser, /"is_active" boolean not null/);
    assert.match(token, /"digest" char\(64\) not null/);
    assert.match(token, /"created" timestamp with time zone not null/);
  });

  test('MySQL gets AUTO_INCREMENT, datetime(6) and byte-wise names and digests', async () => {
    const [authUser = '', token = ''] = await ddl('mysql');
    assert.match(authUser, /`id` integer not null primary key auto_increment/);
    assert.match(authUser, /`last_login` datetime\(6\),/);
    assert.match(authUser, /`is_staff` bool not null/);
    // Each server reads only its own executable comment: MariaDB `/*M!…*/`, MySQL `/*!…*/`.
    const binaryNoPad =
      'varchar(150) character set utf8mb4 collate ' +
      '/*M!100202 utf8mb4_nopad_bin */ /*!80017 utf8mb4_0900_bin */';
    assert.ok(authUser.includes(`\`username\` ${binaryNoPad} not null unique`), authUser);
    assert.ok(token.includes(`\`name\` ${binaryNoPad},`), token);
    assert.match(token, /`digest` char\(64\) character set ascii collate ascii_bin not null/);
    assert.match(token, /`scopes` text default \('\["\*"\]'\) not null/);
  });
});
