import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { ServiceUnavailable } from '../../src/core/errors.js';
import type { Store } from '../../src/core/store.js';
import { generateKey, keyDigest } from '../../src/core/tokens/key-format.js';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/stores/postgres/index.js';
import type { PgPool } from '../../src/stores/postgres/pg-pool.js';
import { PostgresTokenLookup } from '../../src/stores/postgres/postgres-token-lookup.js';
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

// The end state of Django 3.2's auth migrations on PostgreSQL (`sqlmigrate` of 0001 and the
// later AlterFields, which PostgreSQL applies in place, so `first_name` keeps its position).
const DJANGO_AUTH_USER_DDL = [
  'CREATE TABLE "auth_user" ("id" serial NOT NULL PRIMARY KEY, "password" varchar(128) NOT NULL, "last_login" timestamp with time zone NULL, "is_superuser" boolean NOT NULL, "username" varchar(150) NOT NULL UNIQUE, "first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL, "email" varchar(254) NOT NULL, "is_staff" boolean NOT NULL, "is_active" boolean NOT NULL, "date_joined" timestamp with time zone NOT NULL)',
  'CREATE INDEX "auth_user_username_6821ab7c_like" ON "auth_user" ("username" varchar_pattern_ops)',
];

// The session-level advisory lock Kysely 0.28's PostgresAdapter takes around migrations.
const KYSELY_MIGRATION_LOCK_ID = '3853314791062309107';

const databases = new FreshDatabases('postgres');
after(() => databases.dropAll());

async function freshStore(options: Partial<PostgresStoreOptions> = {}): Promise<Store> {
  const { url } = await databases.create();
  return openPostgresStore({ url, ...options });
}

/** A store on a database copied from the migrated template. */
async function migratedStore(): Promise<Store> {
  const { url } = await databases.create({ migrated: true });
  return openPostgresStore({ url });
}

/** Runs `work` on its own connection to `url` (another node, a DBA, Django). */
async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function rows(url: string, text: string, values: unknown[] = []): Promise<unknown[]> {
  return withClient(url, async (client) => (await client.query(text, values)).rows);
}

async function withStore(url: string, work: (store: Store) => Promise<void>, options = {}) {
  const store = await openPostgresStore({ url, ...options });
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

runStoreContract('postgres', { openUnmigrated: freshStore, openMigrated: migratedStore });

describe('postgres store', () => {
  test('auth_user has Django 3.2’s column types, nullability and unique username', async () => {
    const ours = await databases.create();
    const django = await databases.create();
    await withStore(ours.url, async (store) => {
      await store.migrate();
    });
    await withClient(django.url, async (client) => {
      for (const statement of DJANGO_AUTH_USER_DDL) await client.query(statement);
    });
    const columns = `SELECT column_name, data_type, character_maximum_length, is_nullable,
        column_default FROM information_schema.columns
      WHERE table_name = 'auth_user' ORDER BY column_name`;
    const constraints = `SELECT conname, contype FROM pg_constraint
      WHERE conrelid = 'auth_user'::regclass ORDER BY conname`;
    const ourColumns = await rows(ours.url, columns);
    assert.deepEqual(ourColumns, await rows(django.url, columns));
    assert.deepEqual(await rows(ours.url, constraints), await rows(django.url, constraints));
    assert.deepEqual(await rows(ours.url, constraints), [
      { conname: 'auth_user_pkey', contype: 'p' },
      { conname: 'auth_user_username_key', contype: 'u' },
    ]);
    assert.deepEqual(
      (ourColumns as { data_type: string }[]).map((column) => column.data_type).sort(),
      [
        'boolean',
        'boolean',
        'boolean',
        'character varying',
        'character varying',
        'character varying',
        'character varying',
        'character varying',
        'integer',
        'timestamp with time zone',
        'timestamp with time zone',
      ],
    );
  });

  test('a Django-made auth_user is kept as is, and its users are read and extended', async () => {
    const { url } = await databases.create();
    await withClient(url, async (client) => {
      for (const statement of DJANGO_AUTH_USER_DDL) await client.query(statement);
      // A row as Django writes it: microseconds, booleans, the id from the serial sequence.
      await client.query(`INSERT INTO auth_user (password, last_login, is_superuser, username,
          first_name, last_name, email, is_staff, is_active, date_joined)
        VALUES ('pbkdf2_sha256$260000$salt$hash=', NULL, false, 'bob', '', '', 'b@x.org', false,
          true, '2026-11-27 19:52:36.480999+00')`);
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
    // Django's table, its `_like` index included, is untouched.
    const indexes = await rows(
      url,
      `SELECT indexname FROM pg_indexes WHERE tablename = 'auth_user' ORDER BY indexname`,
    );
    assert.deepEqual(indexes, [
      { indexname: 'auth_user_pkey' },
      { indexname: 'auth_user_username_6821ab7c_like' },
      { indexname: 'auth_user_username_key' },
    ]);
  });

  test('nodes migrating a fresh database at once: one applies, the others find it done', async () => {
    for (let round = 0; round < 3; round++) {
      const { url } = await databases.create();
      const nodes = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url })));
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
    await withClient(url, async (otherNode) => {
      await otherNode.query(`SELECT pg_advisory_lock(${KYSELY_MIGRATION_LOCK_ID})`);
      await withStore(
        url,
        async (store) => {
          await assert.rejects(store.migrate(), (error: unknown) => {
            assert.ok(error instanceof ServiceUnavailable, String(error));
            assert.equal(causeCode(error), '57014'); // query_canceled: statement_timeout
            return true;
          });
          assert.deepEqual(await store.pendingMigrations(), ALL_MIGRATIONS);
        },
        { statementTimeoutMs: 300 },
      );
    });
    assert.deepEqual(await rows(url, "SELECT to_regclass('tessera_token') AS t"), [{ t: null }]);
    await withStore(url, async (store) => {
      assert.deepEqual(await store.migrate(), ALL_MIGRATIONS);
    });
  });

  test('the token lookup is one named prepared statement and writes nothing', async () => {
    const { url } = await databases.create();
    let digest = '';
    await withStore(url, async (store) => {
      await store.migrate();
      const ann = await store.createUser(user('ann'));
      const token = newToken(ann.id);
      await store.createToken(token);
      digest = token.digest;
    });
    // Row versions: any UPDATE, even one that changes nothing, gives a row a new xmin and ctid.
    const versions = `SELECT (SELECT array_agg(xmin::text || ctid::text) FROM tessera_token) AS t,
      (SELECT array_agg(xmin::text || ctid::text) FROM auth_user) AS u`;
    const before = await rows(url, versions);
    // One connection, so the statement it prepared can be seen from it.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const lookup = new PostgresTokenLookup(pool as unknown as PgPool);
      for (let i = 0; i < 20; i++) {
        assert.equal((await lookup.findTokenByDigest(digest))?.user.username, 'ann');
        assert.equal(await lookup.findTokenByDigest(keyDigest(generateKey())), null);
      }
      const prepared = (await pool.query('SELECT name, statement FROM pg_prepared_statements'))
        .rows as { name: string; statement: string }[];
      assert.equal(prepared.length, 1);
      assert.equal(prepared[0]?.name, 'tessera_find_token_by_digest');
      assert.match(prepared[0]?.statement ?? '', /^SELECT .* JOIN "auth_user" .* = \$1$/);
    } finally {
      await pool.end();
    }
    assert.deepEqual(await rows(url, versions), before);
    // The same probe does see a write, so the assertion above can fail.
    await rows(url, 'UPDATE auth_user SET is_active = is_active');
    assert.notDeepEqual(await rows(url, versions), before);
  });

  test('duplicates become DuplicateError by constraint name, without the value', async () => {
    const { url } = await databases.create({ migrated: true });
    await withStore(url, async (store) => {
      await assertDuplicatesNamed(store, 'zq-owner-4812', 'zq-owner-4812');
    });
  });

  test('other driver errors are ServiceUnavailable, keeping the cause but not row values', async () => {
    const { url } = await databases.create({ migrated: true });
    await withStore(url, async (store) => {
      const orphan = newToken(424_242);
      await assert.rejects(store.createToken(orphan), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailable);
        assert.equal(error.message, 'Service temporarily unavailable.');
        assert.equal(causeCode(error), '23503');
        assertNothingLeaks(error, [orphan.digest]);
        return true;
      });
      // A unique index tessera does not know: still no value in the error, nor in its cause.
      await rows(url, 'CREATE UNIQUE INDEX extra_email ON auth_user (email)');
      const email = 'zq-mail-7777@example.com';
      await store.createUser({ ...user('one'), email });
      await assert.rejects(store.createUser({ ...user('two'), email }), (error: unknown) => {
        assert.ok(error instanceof ServiceUnavailable);
        assert.equal(causeCode(error), '23505');
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
        await withClient(url, async (dba) => {
          await dba.query('BEGIN');
          await dba.query('LOCK TABLE auth_user IN ACCESS EXCLUSIVE MODE');
          try {
            for (const read of [
              () => store.getUserByUsername('ann'),
              () => store.findTokenByDigest(keyDigest(generateKey())),
            ]) {
              await assert.rejects(read(), (error: unknown) => {
                assert.ok(error instanceof ServiceUnavailable, String(error));
                assert.equal(causeCode(error), '57014'); // query_canceled
                return true;
              });
            }
          } finally {
            await dba.query('ROLLBACK');
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
    () => assertSilentServerTimesOut('postgres', withStore),
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
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'tessera'`,
          [name],
        );
        assert.deepEqual(open, [{ n: 2 }]);
      },
      { poolSize: 2 },
    );
  });
});
