import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { inspect } from 'node:util';
import Database from 'better-sqlite3';
import { ServiceUnavailable } from '../../src/core/errors.js';
import type { NewToken, Store } from '../../src/core/store.js';
import { generateKey, keyDigest, keyPreview } from '../../src/core/tokens/key-format.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { ALL_MIGRATIONS } from './migration-names.js';
import { runStoreContract } from './store-contract.js';

// What Django 3.2's `migrate` leaves in SQLite (read from a real run); its migrations rebuild the
// table on each altered field, which is why `first_name` comes last.
const DJANGO_AUTH_USER_DDL =
  'CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, "date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL)';

const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function tempDatabase(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'));
  directories.push(directory);
  return join(directory, 'tessera.sqlite3');
}

function loginToken(userId: number, created = new Date(Date.UTC(2026, 0, 1))): NewToken {
  const key = generateKey();
  return {
    userId,
    kind: 'login',
    name: null,
    digest: keyDigest(key),
    preview: keyPreview(key),
    scopes: ['*'],
    created,
    expires: null,
    slidingSeconds: null,
    maxExpires: null,
  };
}

/** A migrated file database holding one user and one token; closed again. */
async function seededDatabase(): Promise<{ filename: string; digest: string; userId: number }> {
  const filename = tempDatabase();
  const store = openSqliteStore({ filename });
  try {
    await store.migrate();
    const user = await store.createUser({
      username: 'ann',
      password: 'x',
      dateJoined: new Date(Date.UTC(2026, 0, 1)),
    });
    const token = loginToken(user.id);
    await store.createToken(token);
    return { filename, digest: token.digest, userId: user.id };
  } finally {
    await store.close();
  }
}

function causeCode(error: unknown): unknown {
  return error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
}

async function rejectsUnavailable(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ServiceUnavailable, String(error));
    assert.equal(error.status, 503);
    assert.equal(error.message, 'Service temporarily unavailable.');
    assert.equal(causeCode(error), code);
    return true;
  });
}

async function withStore(
  filename: string,
  work: (store: Store) => Promise<void>,
  readonly = false,
) {
  const store = openSqliteStore({ filename, readonly });
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

function tableInfo(db: Database.Database, table: string): unknown[] {
  return db
    .prepare(`SELECT name, lower(type) AS type, "notnull", pk FROM pragma_table_info(?)`)
    .all(table);
}

runStoreContract('sqlite file', {
  openUnmigrated: async () => openSqliteStore({ filename: tempDatabase() }),
});
runStoreContract('sqlite :memory:', {
  openUnmigrated: async () => openSqliteStore({ filename: ':memory:' }),
});

describe('sqlite store', () => {
  test('auth_user has Django’s columns, types, order, unique username and AUTOINCREMENT', async () => {
    const django = new Database(':memory:');
    django.exec(DJANGO_AUTH_USER_DDL);
    const filename = tempDatabase();
    await withStore(filename, async (store) => {
      await store.migrate();
    });
    const ours = new Database(filename, { readonly: true });
    try {
      assert.deepEqual(tableInfo(ours, 'auth_user'), tableInfo(django, 'auth_user'));
      const uniqueColumns = (db: Database.Database) =>
        (
          db
            .prepare(`SELECT name FROM pragma_index_list('auth_user') WHERE "unique" = 1`)
            .all() as {
            name: string;
          }[]
        ).map(({ name }) => db.prepare('SELECT name FROM pragma_index_info(?)').pluck().all(name));
      assert.deepEqual(uniqueColumns(ours), [['username']]);
      assert.deepEqual(uniqueColumns(ours), uniqueColumns(django));
      const ddl = ours
        .prepare(`SELECT sql FROM sqlite_master WHERE name = 'auth_user'`)
        .pluck()
        .get();
      assert.match(String(ddl), /"id" integer not null primary key autoincrement/i);
    } finally {
      ours.close();
      django.close();
    }
  });

  test('a file database is in WAL mode and writes datetimes as Django does', async () => {
    const filename = tempDatabase();
    await withStore(filename, async (store) => {
      await store.migrate();
      const whole = await store.createUser({
        username: 'whole',
        password: 'x',
        dateJoined: new Date(Date.UTC(2026, 1, 3, 4, 5, 6)),
      });
      await store.createUser({
        username: 'fraction',
        password: 'x',
        dateJoined: new Date(Date.UTC(2026, 1, 3, 4, 5, 6, 7)),
      });
      await store.updateUser(whole.id, {
        isStaff: true,
        lastLogin: new Date(Date.UTC(2026, 1, 4)),
      });
    });
    const db = new Database(filename, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const rows = db
        .prepare(
          'SELECT username, date_joined, last_login, is_staff, is_active FROM auth_user ORDER BY id',
        )
        .all();
      assert.deepEqual(rows, [
        {
          username: 'whole',
          date_joined: '2026-02-03 04:05:06',
          last_login: '2026-02-04 00:00:00',
          is_staff: 1,
          is_active: 1,
        },
        {
          username: 'fraction',
          date_joined: '2026-02-03 04:05:06.007000',
          last_login: null,
          is_staff: 0,
          is_active: 1,
        },
      ]);
    } finally {
      db.close();
    }
  });

  test('a Django-made auth_user is kept as is and its users are read and extended', async () => {
    const filename = tempDatabase();
    const django = new Database(filename);
    django.exec(DJANGO_AUTH_USER_DDL);
    // A row as Django 3.2 wrote it: microseconds, and is_* as 0/1.
    django
      .prepare(
        `INSERT INTO auth_user VALUES (1, 'pbkdf2_sha256$260000$salt$hash=', NULL, 0, 'bob', '', 'b@x.org', 0, 1, '2026-11-27 19:52:36.480999', '')`,
      )
      .run();
    django.close();

    await withStore(filename, async (store) => {
      assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
      assert.deepEqual(await store.migrate(), ALL_MIGRATIONS);
      const bob = await store.getUserByUsername('bob');
      assert.deepEqual(bob, {
        id: 1,
        username: 'bob',
        email: 'b@x.org',
        firstName: '',
        lastName: '',
        isStaff: false,
        isSuperuser: false,
        isActive: true,
        lastLogin: null,
        dateJoined: new Date(Date.UTC(2026, 10, 27, 19, 52, 36, 480)),
        isAuthenticated: true,
        password: 'pbkdf2_sha256$260000$salt$hash=',
      });
      const token = loginToken(1);
      await store.createToken(token);
      assert.equal((await store.findTokenByDigest(token.digest))?.user.email, 'b@x.org');
      const added = await store.createUser({
        username: 'amy',
        password: 'x',
        dateJoined: new Date(),
      });
      assert.equal(added.id, 2);
    });

    const db = new Database(filename, { readonly: true });
    try {
      const ddl = db
        .prepare(`SELECT sql FROM sqlite_master WHERE name = 'auth_user'`)
        .pluck()
        .get();
      assert.equal(ddl, DJANGO_AUTH_USER_DDL);
    } finally {
      db.close();
    }
  });

  test('a never-migrated database lists its migration and is left untouched', async () => {
    const filename = tempDatabase();
    await withStore(filename, async (store) => {
      assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
    });
    const db = new Database(filename, { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT name FROM sqlite_master').all(), []);
    } finally {
      db.close();
    }
    await withStore(
      filename,
      async (store) => {
        assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
        await rejectsUnavailable(store.migrate(), 'SQLITE_READONLY');
      },
      true,
    );
  });

  test('a read-only database reads, and answers every write with ServiceUnavailable', async () => {
    const { filename, digest, userId } = await seededDatabase();
    await withStore(
      filename,
      async (store) => {
        assert.deepEqual(await store.pendingMigrations(), []);
        assert.deepEqual(await store.migrate(), []);
        assert.equal((await store.getUserByUsername('ann'))?.id, userId);
        assert.equal((await store.findTokenByDigest(digest))?.user.username, 'ann');
        const newUser = { username: 'new', password: 'x', dateJoined: new Date() };
        await rejectsUnavailable(store.createUser(newUser), 'SQLITE_READONLY');
        await rejectsUnavailable(store.updateUser(userId, { isActive: false }), 'SQLITE_READONLY');
        await rejectsUnavailable(store.createToken(loginToken(userId)), 'SQLITE_READONLY');
        await rejectsUnavailable(store.createLoginToken(loginToken(userId), 3), 'SQLITE_READONLY');
        await rejectsUnavailable(store.deleteUser(userId), 'SQLITE_READONLY');
        assert.equal((await store.findTokenByDigest(digest))?.user.isActive, true);
      },
      true,
    );
  });

  test('the token lookup writes nothing: no connection commits a change', async () => {
    const { filename, digest, userId } = await seededDatabase();
    const observer = new Database(filename, { readonly: true });
    // data_version moves whenever another connection commits a change to the file.
    const dataVersion = () => observer.pragma('data_version', { simple: true });
    try {
      await withStore(filename, async (store) => {
        const before = dataVersion();
        for (let i = 0; i < 50; i++) {
          assert.equal((await store.findTokenByDigest(digest))?.token.userId, userId);
          assert.equal(await store.findTokenByDigest(keyDigest(generateKey())), null);
        }
        assert.equal(dataVersion(), before);
        // The same probe does see a write, so the assertion above can fail.
        await store.updateUser(userId, { lastLogin: new Date() });
        assert.notEqual(dataVersion(), before);
      });
    } finally {
      observer.close();
    }
  });

  test('the token lookup reads while another process holds the write lock; writes time out', async () => {
    const { filename, digest } = await seededDatabase();
    const other = new Database(filename);
    try {
      await withStore(filename, async (store) => {
        other.exec('BEGIN IMMEDIATE');
        assert.equal((await store.findTokenByDigest(digest))?.user.username, 'ann');
        const user = { username: 'late', password: 'x', dateJoined: new Date() };
        await rejectsUnavailable(store.createUser(user), 'SQLITE_BUSY');
        other.exec('ROLLBACK');
        assert.equal((await store.createUser(user)).username, 'late');
      });
    } finally {
      other.close();
    }
  });

  test('driver errors become ServiceUnavailable with the cause kept and no digest shown', async () => {
    const { filename, digest } = await seededDatabase();
    await withStore(filename, async (store) => {
      assert.ok(await store.findTokenByDigest(digest));
      const other = new Database(filename);
      other.exec('DROP TABLE tessera_token');
      other.close();
      await assert.rejects(store.findTokenByDigest(digest), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailable);
        assert.match(String((error.cause as Error).message), /no such table: tessera_token/);
        assert.equal(inspect(error, { depth: 10 }).includes(digest), false);
        return true;
      });
      await rejectsUnavailable(store.listTokens(), 'SQLITE_ERROR');
    });
  });

  test('a token for a user that does not exist is refused (foreign keys are on)', async () => {
    await withStore(':memory:', async (store) => {
      await store.migrate();
      await rejectsUnavailable(store.createToken(loginToken(42)), 'SQLITE_CONSTRAINT_FOREIGNKEY');
      assert.deepEqual(await store.listTokens(), []);
    });
  });

  test('a database that cannot be opened throws ServiceUnavailable', () => {
    const missing = join(tempDatabase(), 'no-such-dir', 'db.sqlite3');
    assert.throws(
      () => openSqliteStore({ filename: missing }),
      (error: unknown) => error instanceof ServiceUnavailable && error.cause instanceof Error,
    );
    assert.throws(
      () => openSqliteStore({ filename: tempDatabase(), readonly: true }),
      (error: unknown) => error instanceof ServiceUnavailable && error.cause instanceof Error,
    );
  });
});
