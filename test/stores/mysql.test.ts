import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { ServiceUnavailable } from '../../src/core/errors.js';
import type { Store } from '../../src/core/store.js';
import { generateKey, keyDigest } from '../../src/core/tokens/key-format.js';
import { type MysqlStoreOptions, openMysqlStore } from '../../src/stores/mysql/index.js';
import { MYSQL_MIGRATION_LOCK } from '../../src/stores/mysql/mysql-migration-lock.js';
import { MysqlTokenLookup } from '../../src/stores/mysql/mysql-token-lookup.js';
import type { Mysql2Pool } from '../../src/stores/mysql/mysql2-pool.js';
import { tokenMatchSql } from '../../src/stores/sql/token-match.js';
import { FreshDatabases } from './fresh-database.js';
import { ALL_MIGRATIONS } from './migration-names.js';
import {
  assertDuplicatesNamed,
  assertNothingLeaks,
  assertSilentServerTimesOut,
  causeCode,
  newToken,
  user,
} from './sql-store-helpers.js';
import { runStoreContract } from './store-contract.js';

// Away from UTC, so a date written or read in local time (mysql2's default) would be caught.
process.env.TZ = 'America/New_York';

// The end state of Django 3.2's auth migrations on MySQL (`sqlmigrate` output); Django leaves the
// collation to the database's default, which on MySQL and MariaDB ignores case.
const DJANGO_AUTH_USER_DDL =
  'CREATE TABLE `auth_user` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `password` varchar(128) NOT NULL, `last_login` datetime(6) NULL, `is_superuser` bool NOT NULL, `username` varchar(150) NOT NULL UNIQUE, `first_name` varchar(150) NOT NULL, `last_name` varchar(150) NOT NULL, `email` varchar(254) NOT NULL, `is_staff` bool NOT NULL, `is_active` bool NOT NULL, `date_joined` datetime(6) NOT NULL)';

const databases = new FreshDatabases('mysql');
after(() => databases.dropAll());

async function freshStore(options: Partial<MysqlStoreOptions> = {}): Promise<Store> {
  const { url } = await databases.create();
  return openMysqlStore({ url, ...options });
}

/** A store on a database copied from the migrated template. */
async function migratedStore(): Promise<Store> {
  const { url } = await databases.create({ migrated: true });
  return openMysqlStore({ url });
}

/** Runs `work` on its own connection to `url` (another node, a DBA, Django). */
async function withConnection<T>(
  url: string,
  work: (connection: mysqlPromise.Connection) => Promise<T>,
): Promise<T> {
  // Dates as the server holds them, text, so nothing converts them on the way.
  const connection = await mysqlPromise.createConnection({ uri: url, dateStrings: true });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

async function rows(url: string, text: string, values: unknown[] = []): Promise<unknown[]> {
  return withConnection(url, async (connection) => {
    const [result] = await connection.query(text, values);
    return result as unknown[];
  });
}

async function withStore(url: string, work: (store: Store) => Promise<void>, options = {}) {
  const store = await openMysqlStore({ url, ...options });
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

const COLUMNS = `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
    COLLATION_NAME AS collation, EXTRA AS extra
  FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY COLUMN_NAME`;

interface ColumnRow {
  readonly name: string;
  readonly type: string;
  readonly collation: string | null;
}

runStoreContract('mysql', { openUnmigrated: freshStore, openMigrated: migratedStore });

describe('mysql store', () => {
  test('auth_user has Django 3.2’s column types, with usernames compared byte for byte', async () => {
    const ours = await databases.create();
    const django = await databases.create();
    await withStore(ours.url, async (store) => {
      await store.migrate();
    });
    await rows(django.url, DJANGO_AUTH_USER_DDL);
    const ourColumns = (await rows(ours.url, COLUMNS, ['auth_user'])) as ColumnRow[];
    const djangoColumns = (await rows(django.url, COLUMNS, ['auth_user'])) as ColumnRow[];
    // Only the username's collation differs: binary, where Django inherits a case-insensitive one.
    const withoutUsernameCollation = (columns: ColumnRow[]) =>
      columns.map((column) => (column.name === 'username' ? { ...column, collation: '' } : column));
    assert.deepEqual(withoutUsernameCollation(ourColumns), withoutUsernameCollation(djangoColumns));
    const byName = new Map(ourColumns.map((column) => [column.name, column]));
    assert.equal(byName.get('username')?.collation, 'utf8mb4_nopad_bin');
    assert.equal(byName.get('date_joined')?.type, 'datetime(6)');
    assert.equal(byName.get('is_active')?.type, 'tinyint(1)');
    const tokenColumns = (await rows(ours.url, COLUMNS, ['tessera_token'])) as ColumnRow[];
    const tokenByName = new Map(tokenColumns.map((column) => [column.name, column]));
    assert.equal(tokenByName.get('name')?.collation, 'utf8mb4_nopad_bin');
    assert.equal(tokenByName.get('digest')?.collation, 'ascii_bin');
    assert.equal(tokenByName.get('expires')?.type, 'datetime(6)');
    const uniqueKeys = `SELECT INDEX_NAME AS name, COLUMN_NAME AS columnName
      FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'auth_user' AND NON_UNIQUE = 0
      ORDER BY INDEX_NAME`;
    assert.deepEqual(await rows(ours.url, uniqueKeys), await rows(django.url, uniqueKeys));
  });

  test('names differing only in case or trailing spaces are different users and tokens', async () => {
    await withStore((await databases.create({ migrated: true })).url, async (store) => {
      const ids = [];
      for (const username of ['alice', 'Alice', 'alice ', 'ALICE']) {
        ids.push((await store.createUser(user(username))).id);
      }
      assert.equal(new Set(ids).size, 4);
      assert.equal((await store.getUserByUsername('alice '))?.id, ids[2]);
      assert.equal(await store.getUserByUsername('alice  '), null);
      for (const name of ['ci', 'CI', 'ci ']) {
        await store.createToken(newToken(ids[0] ?? 0, { name }));
      }
      assert.deepEqual(
        (await store.listTokens({ userId: ids[0] })).map((token) => token.name).sort(),
        ['CI', 'ci', 'ci '],
      );
    });
  });

  test('dates are stored as naive UTC with microseconds, whatever the time zone', async () => {
    const { url } = await databases.create({ migrated: true });
    await withStore(url, async (store) => {
      const ann = await store.createUser({
        ...user('ann'),
        dateJoined: new Date(Date.UTC(2026, 6, 2, 3, 4, 5, 678)),
      });
      await store.updateUser(ann.id, { lastLogin: new Date(Date.UTC(2026, 0, 1)) });
      assert.equal(
        (await store.getUserById(ann.id))?.dateJoined.getTime(),
        Date.UTC(2026, 6, 2, 3, 4, 5, 678),
      );
    });
    assert.deepEqual(await rows(url, 'SELECT date_joined, last_login FROM auth_user'), [
      { date_joined: '2026-07-02 03:04:05.678000', last_login: '2026-01-01 00:00:00.000000' },
    ]);
  });

  test('a Django-made auth_user is kept as is, and its users are read and extended', async () => {
    const { url } = await databases.create();
    await withConnection(url, async (connection) => {
      await connection.query(DJANGO_AUTH_USER_DDL);
      await connection.query(`INSERT INTO auth_user (password, last_login, is_superuser, username,
          first_name, last_name, email, is_staff, is_active, date_joined)
        VALUES ('pbkdf2_sha256$260000$salt$hash=', NULL, 0, 'bob', '', '', 'b@x.org', 0, 1,
          '2026-11-27 19:52:36.480999')`);
    });
    await withStore(url, async (store) => {
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
      const token = newToken(1);
      await store.createToken(token);
      assert.equal((await store.findTokenByDigest(token.digest))?.user.email, 'b@x.org');
      assert.equal((await store.createUser(user('amy'))).id, 2);
    });
    // Django's table keeps Django's (case-insensitive) collation: tessera does not alter it.
    const columns = (await rows(url, COLUMNS, ['auth_user'])) as ColumnRow[];
    assert.equal(
      columns.find((column) => column.name === 'username')?.collation,
      'utf8mb4_general_ci',
    );
  });

  test('nodes migrating a fresh database at once: one applies, the others find it done', async () => {
    for (let round = 0; round < 3; round++) {
      const { url } = await databases.create();
      const nodes = await Promise.all([1, 2, 3].map(() => openMysqlStore({ url })));
      try {
        const applied = await Promise.all(nodes.map((node) => node.migrate()));
        assert.deepEqual(
          applied.map((names) => names.join()).sort(),
          ['', '', ALL_MIGRATIONS.join()],
          `round ${round}`,
        );
        for (const node of nodes) assert.deepEqual(await node.pendingMigrations(), []);
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
      }
      assert.deepEqual(
        await rows(url, 'SELECT name FROM tessera_migration'),
        ALL_MIGRATIONS.map((name) => ({ name })),
      );
    }
  });

  test('a node kept from the migration lock past the statement timeout fails, migrating nothing', async () => {
    const { url } = await databases.create();
    await withConnection(url, async (otherNode) => {
      await otherNode.query('SELECT GET_LOCK(?, 0)', [MYSQL_MIGRATION_LOCK]);
      try {
        await withStore(
          url,
          async (store) => {
            await assert.rejects(store.migrate(), (error: unknown) => {
              assert.ok(error instanceof ServiceUnavailable, String(error));
              assert.match(String((error.cause as Error).message), /migration lock/);
              return true;
            });
            assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
          },
          { statementTimeoutMs: 300 },
        );
      } finally {
        await otherNode.query('SELECT RELEASE_LOCK(?)', [MYSQL_MIGRATION_LOCK]);
      }
    });
    assert.deepEqual(await rows(url, "SHOW TABLES LIKE 'tessera_token'"), []);
    await withStore(url, async (store) => {
      assert.deepEqual(await store.migrate(), ALL_MIGRATIONS);
    });
  });

  test('the token lookup is one prepared statement on the digest’s index, and writes nothing', async () => {
    const { url } = await databases.create();
    let digest = '';
    await withStore(url, async (store) => {
      await store.migrate();
      const ann = await store.createUser(user('ann'));
      const token = newToken(ann.id);
      await store.createToken(token);
      digest = token.digest;
    });
    // One connection, so its session counters count exactly the lookups' statements.
    const pool = mysql.createPool({ uri: url, connectionLimit: 1, timezone: 'Z' });
    const sessionStatus = async (): Promise<Record<string, number>> => {
      const [result] = await pool.promise().query(
        `SHOW SESSION STATUS WHERE Variable_name IN
            ('Com_stmt_prepare', 'Com_stmt_execute', 'Com_insert', 'Com_update', 'Com_delete')`,
      );
      const status = result as { Variable_name: string; Value: string }[];
      return Object.fromEntries(status.map((row) => [row.Variable_name, Number(row.Value)]));
    };
    try {
      const lookup = new MysqlTokenLookup(pool as unknown as Mysql2Pool);
      const before = await sessionStatus();
      for (let i = 0; i < 20; i++) {
        assert.equal((await lookup.findTokenByDigest(digest))?.user.username, 'ann');
        assert.equal(await lookup.findTokenByDigest(keyDigest(generateKey())), null);
      }
      const after = await sessionStatus();
      assert.deepEqual(
        Object.fromEntries(
          Object.keys(after).map((name) => [name, (after[name] ?? 0) - (before[name] ?? 0)]),
        ),
        { Com_delete: 0, Com_insert: 0, Com_stmt_execute: 40, Com_stmt_prepare: 1, Com_update: 0 },
      );
    } finally {
      await pool.promise().end();
    }
    // `const` is a single-row read through a unique index: the digest's, not a scan.
    const [plan] = (await rows(url, `EXPLAIN ${tokenMatchSql('`', '?')}`, [digest])) as {
      table: string;
      type: string;
      key: string | null;
    }[];
    assert.equal(plan?.key, 'tessera_token_digest_key');
    assert.equal(plan?.type, 'const');
  });

  test('duplicates become DuplicateError by key name, without the value', async () => {
    await withStore((await databases.create({ migrated: true })).url, async (store) => {
      // A quote in the name: MySQL quotes values in its messages, and none may come through.
      await assertDuplicatesNamed(store, "zq-o'wner-4812", '4812');
    });
  });

  test('other driver errors are ServiceUnavailable, keeping the cause but not bound values', async () => {
    const { url } = await databases.create({ migrated: true });
    await withStore(url, async (store) => {
      const orphan = newToken(424_242);
      await assert.rejects(store.createToken(orphan), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailable);
        assert.equal(error.message, 'Service temporarily unavailable.');
        assert.equal(causeCode(error), 'ER_NO_REFERENCED_ROW_2');
        // mysql2 would have kept the statement with every value inlined, digest included.
        assertNothingLeaks(error, [orphan.digest]);
        return true;
      });
      // A unique index tessera does not know: MySQL quotes the value; the error must not.
      await rows(url, 'CREATE UNIQUE INDEX extra_email ON auth_user (email)');
      const email = 'zq-mail-7777@example.com';
      await store.createUser({ ...user('one'), email });
      await assert.rejects(store.createUser({ ...user('two'), email }), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailable);
        assert.equal(causeCode(error), 'ER_DUP_ENTRY');
        assert.match(String((error.cause as Error).message), /for key 'extra_email'/);
        assertNothingLeaks(error, [email]);
        return true;
      });
    });
  });

  test('a statement past the statement timeout is cancelled: ServiceUnavailable', async () => {
    const { url } = await databases.create({ migrated: true });
    await withStore(
      url,
      async (store) => {
        await withConnection(url, async (dba) => {
          await dba.query('LOCK TABLES auth_user WRITE');
          try {
            for (const read of [
              () => store.getUserByUsername('zq-ann-5150'),
              () => store.findTokenByDigest(keyDigest(generateKey())),
            ]) {
              await assert.rejects(read(), (error: unknown) => {
                assert.ok(error instanceof ServiceUnavailable, String(error));
                // MariaDB's ER_STATEMENT_TIMEOUT (1969; mysql2 has no name for it), or
                // MySQL's ER_QUERY_TIMEOUT (3024).
                const errno = (error.cause as { errno?: unknown }).errno;
                assert.ok(errno === 1969 || errno === 3024, String(error.cause));
                assertNothingLeaks(error, ['zq-ann-5150']);
                return true;
              });
            }
          } finally {
            await dba.query('UNLOCK TABLES');
          }
        });
        assert.equal(await store.getUserByUsername('ann'), null);
      },
      { statementTimeoutMs: 200 },
    );
  });

  test(
    'a server that never answers fails after the connect timeout',
    {
      timeout: 10_000,
    },
    () => assertSilentServerTimesOut('mysql', withStore),
  );

  test('the pool opens at most poolSize connections', async () => {
    const { name, url } = await databases.create({ migrated: true });
    await withStore(
      url,
      async (store) => {
        await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            i % 2 === 0 ? store.findTokenByDigest(keyDigest(generateKey())) : store.listUsers(),
          ),
        );
        const open = await rows(
          url,
          'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
          [name],
        );
        assert.deepEqual(open, [{ n: 2 }]);
      },
      { poolSize: 2 },
    );
  });
});
