import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Store } from '../../src/core/store.js';
import { openMysqlStore } from '../../src/stores/mysql/index.js';
import { openPostgresStore } from '../../src/stores/postgres/index.js';
import { FreshDatabases } from './fresh-database.js';
import { ALL_MIGRATIONS } from './migration-names.js';

async function withStore<T>(store: Store, work: (store: Store) => Promise<T>): Promise<T> {
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

// What a schema is made of, read from the server's catalogue, in a stable order.
async function postgresSchema(url: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = 'public'
        ORDER BY table_name, column_name`,
    );
    const indexes = await client.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`,
    );
    const constraints = await client.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace ORDER BY conname`,
    );
    const migrations = await client.query('SELECT name FROM tessera_migration ORDER BY name');
    return [columns.rows, indexes.rows, constraints.rows, migrations.rows];
  } finally {
    await client.end();
  }
}

async function mysqlSchema(url: string): Promise<unknown[]> {
  const connection = await mysql.createConnection({ uri: url });
  try {
    const [tables] = await connection.query<mysql.RowDataPacket[]>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = DATABASE() ORDER BY table_name`,
    );
    const schema: unknown[] = [];
    for (const { name } of tables) {
      const [created] = await connection.query<mysql.RowDataPacket[]>(`SHOW CREATE TABLE ${name}`);
      schema.push(created[0]?.['Create Table']);
    }
    const [migrations] = await connection.query('SELECT name FROM tessera_migration ORDER BY name');
    return [schema, migrations];
  } finally {
    await connection.end();
  }
}

const kinds = [
  { kind: 'postgres', open: (url: string) => openPostgresStore({ url }), schema: postgresSchema },
  { kind: 'mysql', open: (url: string) => openMysqlStore({ url }), schema: mysqlSchema },
] as const;

for (const { kind, open, schema } of kinds) {
  describe(`FreshDatabases on ${kind}`, () => {
    const databases = new FreshDatabases(kind);
    after(() => databases.dropAll());

    test('create() gives a database that has never been migrated', async () => {
      const { url } = await databases.create();
      await withStore(await open(url), async (store) => {
        assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
      });
    });

    test('create({ migrated: true }) gives the schema migrating builds, migration log included', async () => {
      const migratedHere = await databases.create();
      await withStore(await open(migratedHere.url), (store) => store.migrate());
      const [copy, other] = await Promise.all([
        databases.create({ migrated: true }),
        databases.create({ migrated: true }),
      ]);
      assert.notEqual(copy.name, other.name);
      const expected = await schema(migratedHere.url);
      assert.deepEqual(await schema(copy.url), expected);
      assert.deepEqual(await schema(other.url), expected);
      await withStore(await open(copy.url), async (store) => {
        assert.deepEqual(await store.pendingMigrations(), []);
        assert.deepEqual(await store.migrate(), []);
      });
    });

    test('copies are independent: a user made in one is not in another', async () => {
      const [first, second] = [
        await databases.create({ migrated: true }),
        await databases.create({ migrated: true }),
      ];
      await withStore(await open(first.url), (store) =>
        store.createUser({ username: 'only-in-first', password: '!', dateJoined: new Date() }),
      );
      await withStore(await open(second.url), async (store) => {
        assert.equal(await store.getUserByUsername('only-in-first'), null);
      });
    });
  });
}
