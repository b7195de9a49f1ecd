import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { SettingsError } from '../../src/core/config/settings-from-env.js';
import { openStore, sqliteFilename } from '../../src/stores/open-store.js';
import { FreshDatabases } from './fresh-database.js';
import { ALL_MIGRATIONS } from './migration-names.js';

test('sqlite: URLs name a relative path, an absolute path or memory', () => {
  assert.equal(sqliteFilename('sqlite:./tessera.sqlite3'), './tessera.sqlite3');
  assert.equal(sqliteFilename('sqlite:tessera.sqlite3'), 'tessera.sqlite3');
  assert.equal(sqliteFilename('sqlite:///var/lib/tessera.sqlite3'), '/var/lib/tessera.sqlite3');
  assert.equal(sqliteFilename('sqlite:/var/lib/tessera.sqlite3'), '/var/lib/tessera.sqlite3');
  assert.equal(sqliteFilename('sqlite::memory:'), ':memory:');
});

test('a sqlite: URL without a path, or with a host, is refused', () => {
  assert.throws(() => sqliteFilename('sqlite:'), SettingsError);
  assert.throws(() => sqliteFilename('sqlite://host/db'), SettingsError);
});

test('openStore opens a SQLite store that works', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-open-store-'));
  try {
    const store = await openStore(`sqlite://${join(directory, 'db.sqlite3')}`);
    try {
      assert.equal(store.dialect, 'sqlite');
      assert.deepEqual(await store.migrate(), ALL_MIGRATIONS);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('other schemes are refused without repeating the URL, which may hold a password', async () => {
  await assert.rejects(openStore('mongodb://tessera:s3cret@db/tessera'), (error: unknown) => {
    assert.ok(error instanceof SettingsError);
    assert.match(error.message, /mongodb: scheme is not supported/);
    assert.equal(error.message.includes('s3cret'), false);
    return true;
  });
});

test('a server URL that does not parse is refused without repeating it', async () => {
  for (const url of ['postgres:tessera:s3cret@db', 'mysql://tessera:s3cret@db:port/x']) {
    await assert.rejects(openStore(url), (error: unknown) => {
      assert.ok(error instanceof SettingsError, String(error));
      assert.match(
        error.message,
        /^DATABASE_URL must look like (postgres|mysql):\/\/user:password@/,
      );
      assert.equal(error.message.includes('s3cret'), false);
      return true;
    });
  }
});

describe('server databases', () => {
  const postgres = new FreshDatabases('postgres');
  const mysql = new FreshDatabases('mysql');
  after(() => Promise.all([postgres.dropAll(), mysql.dropAll()]));

  test('postgres://, postgresql://, mysql:// and mariadb:// open working stores', async () => {
    const postgresUrl = (await postgres.create()).url;
    const mysqlUrl = (await mysql.create()).url;
    const cases = [
      [postgresUrl, 'postgres'],
      [postgresUrl.replace(/^postgres:/, 'postgresql:'), 'postgres'],
      [mysqlUrl, 'mysql'],
      [mysqlUrl.replace(/^mysql:/, 'mariadb:'), 'mysql'],
    ] as const;
    for (const [url, dialect] of cases) {
      const store = await openStore(url);
      try {
        assert.equal(store.dialect, dialect);
        assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
      } finally {
        await store.close();
      }
    }
  });

  test('the pool settings reach the store', async () => {
    const { name, url } = await postgres.create();
    const store = await openStore(url, { dbPoolSize: 1 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await Promise.all(Array.from({ length: 6 }, () => store.pendingMigrations()));
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND application_name = 'tessera'`,
        [name],
      );
      assert.deepEqual(rows, [{ n: 1 }]);
    } finally {
      await client.end();
      await store.close();
    }
  });
});

test('a change Redis cannot carry is a process warning by default, never silent', async () => {
  const store = await openStore('sqlite::memory:', {
    redisUrl: 'redis://:hunter2-redis@127.0.0.1:1',
    dbConnectTimeoutMs: 500,
  });
  const warnings: Error[] = [];
  const listen = (warning: Error) => warnings.push(warning);
  process.on('warning', listen);
  try {
    await store.migrate();
    const user = await store.createUser({ username: 'a', password: '!', dateJoined: new Date() });
    await store.updateUser(user.id, { isActive: false });
    await store.close();
    // Warnings are emitted on the next tick.
    await new Promise((done) => setImmediate(done));
  } finally {
    process.off('warning', listen);
  }
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.name, 'InvalidationNotPublished');
  assert.match(
    warnings[0]?.message ?? '',
    /^the change is saved, but Redis did not carry its invalidation \(user id \d+\) to other nodes \(connect ECONNREFUSED/,
  );
  assert.ok(!warnings[0]?.message.includes('hunter2'));
});
