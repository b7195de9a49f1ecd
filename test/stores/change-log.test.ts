import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Store } from '../../src/core/store.js';
import { createTessera, type Tessera } from '../../src/core/tessera.js';
import type { TokenCache } from '../../src/core/tokens/token-cache.js';
import { openStore } from '../../src/stores/open-store.js';
import { FreshDatabases, MYSQL_TEST_URL } from './fresh-database.js';
import { ALL_MIGRATIONS } from './migration-names.js';
import { newToken, user } from './sql-store-helpers.js';

type Kind = 'sqlite' | 'postgres' | 'mysql';
const BetterSqlite = createRequire(import.meta.url)('better-sqlite3');

/** Raw SQL from a connection that is not the store's, as an admin or a Django app writes. */
function rawSql(kind: Kind, url: string) {
  return async (statement: string): Promise<void> => {
    if (kind === 'sqlite') {
      const connection = new BetterSqlite(url.slice('sqlite:'.length));
      try {
        connection.exec(statement);
      } finally {
        connection.close();
      }
    } else if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(statement).finally(() => client.end());
    } else {
      const connection = await mysql.createConnection(url);
      await connection.query(statement).finally(() => connection.end());
    }
  };
}

async function until(condition: () => boolean, what: string, deadlineMs = 1000): Promise<number> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > deadlineMs) assert.fail(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - start;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`${kind}: the token cache is on by default and hears only revoking changes`, () => {
    const databases = kind === 'sqlite' ? undefined : new FreshDatabases(kind);
    const directory = mkdtempSync(join(tmpdir(), 'tessera-change-log-'));
    let store: Store | undefined;
    let tessera: Tessera | undefined;
    after(async () => {
      await tessera?.close();
      await store?.close();
      await databases?.dropAll();
      rmSync(directory, { recursive: true, force: true });
    });

    test('cached entries survive last-used, sliding-expiry and last_login writes; a raw revoking UPDATE drops exactly its user', async () => {
      const url = databases
        ? (await databases.create({ migrated: true })).url
        : `sqlite:${join(directory, 'tessera.sqlite3')}`;
      store = await openStore(url);
      if (!databases) await store.migrate();
      tessera = createTessera({ store, onBackgroundError: (error) => assert.fail(String(error)) });
      const cache = tessera.tokenCache as TokenCache;
      assert.ok(cache, 'the cache is on with default settings');
      await until(() => cache.channelUp, 'the channel up', 5000);

      const alice = await store.createUser(user('alice'));
      const bob = await store.createUser(user('bob'));
      const aliceToken = newToken(alice.id, { expires: new Date(Date.now() + 3_600_000) });
      const bobToken = newToken(bob.id);
      const { id: aliceTokenId } = await store.createToken(aliceToken);
      await store.createToken(bobToken);
      for (const token of [aliceToken, bobToken]) {
        assert.ok(await cache.findTokenByDigest(token.digest));
        assert.ok(await cache.findTokenByDigest(token.digest));
      }
      const misses = cache.misses;

      const sql = rawSql(kind, url);
      const later = new Date(Date.now() + 7_200_000).toISOString().replace('T', ' ').slice(0, 19);
      await sql(`UPDATE tessera_token SET last_used = '${later}' WHERE id = ${aliceTokenId}`);
      await sql(`UPDATE tessera_token SET expires = '${later}' WHERE id = ${aliceTokenId}`);
      await sql(`UPDATE auth_user SET last_login = '${later}'`);
      await store.updateUser(alice.id, { lastLogin: new Date() });
      await store.recordTokenUses([{ id: aliceTokenId, lastUsed: new Date() }]);
      // Several polls go by (SQLite 100 ms, MySQL 250 ms; NOTIFY at once).
      await pause(700);
      assert.equal(cache.size.entries, 2);
      for (const token of [aliceToken, bobToken]) {
        assert.ok(await cache.findTokenByDigest(token.digest));
      }
      assert.equal(cache.misses, misses, 'every lookup after the writes was a hit');

      const active = kind === 'postgres' ? 'false' : '0';
      await sql(`UPDATE auth_user SET is_active = ${active} WHERE id = ${bob.id}`);
      const took = await until(() => cache.size.entries === 1, "bob's token dropped");
      assert.ok(took <= 1000);
      assert.ok(await cache.findTokenByDigest(aliceToken.digest));
      assert.equal(cache.misses, misses, "alice's token stayed cached");

      await sql(`DELETE FROM tessera_token WHERE id = ${aliceTokenId}`);
      await until(() => cache.size.entries === 0, "alice's token dropped");
      assert.equal(await cache.findTokenByDigest(aliceToken.digest), null);
    });
  });
}

describe('MariaDB: a migrating user without the TRIGGER privilege', () => {
  const databases = new FreshDatabases('mysql');
  const account = `tessera_nt_${process.pid}`;
  let store: Store | undefined;
  let tessera: Tessera | undefined;
  after(async () => {
    await tessera?.close();
    await store?.close();
    await databases.admin([`DROP USER IF EXISTS '${account}'@'%'`]);
    await databases.dropAll();
  });

  test('migrate succeeds, the cache stays off, and one warning says why', async () => {
    const { name } = await databases.create();
    await databases.admin([
      `DROP USER IF EXISTS '${account}'@'%'`,
      `CREATE USER '${account}'@'%'`,
      // Everything tessera's tables need, but TRIGGER.
      `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, REFERENCES ON ${name}.* TO '${account}'@'%'`,
    ]);
    const url = new URL(MYSQL_TEST_URL);
    url.username = account;
    url.password = '';
    url.pathname = `/${name}`;
    const processWarnings: string[] = [];
    const onProcessWarning = (warning: Error) => processWarnings.push(warning.message);
    process.on('warning', onProcessWarning);
    store = await openStore(url.href);
    try {
      assert.deepEqual(await store.migrate(), ALL_MIGRATIONS);
      await pause(50);
    } finally {
      process.off('warning', onProcessWarning);
    }
    assert.equal(processWarnings.length, 1, processWarnings.join('\n'));
    assert.match(processWarnings[0] ?? '', /TRIGGER command denied/);

    const warnings: string[] = [];
    tessera = createTessera({
      store,
      onWarning: (message) => warnings.push(message),
      onBackgroundError: (error) => assert.fail(String(error)),
    });
    const cache = tessera.tokenCache as TokenCache;
    await until(() => warnings.length === 1, 'the warning', 5000);
    assert.match(warnings[0] ?? '', /^the token cache is off: MySQL\/MariaDB lacks the triggers/);
    assert.match(warnings[0] ?? '', /TRIGGER privilege/);
    const alice = await store.createUser(user('alice'));
    const token = newToken(alice.id);
    await store.createToken(token);
    await cache.findTokenByDigest(token.digest);
    await cache.findTokenByDigest(token.digest);
    await pause(600);
    assert.equal(cache.channelUp, false);
    assert.equal(cache.size.entries, 0, 'nothing is cached');
    assert.equal(cache.hits, 0);
    assert.equal(warnings.length, 1, 'said once');
  });
});

describe('PostgreSQL: a database missing a change trigger', () => {
  const databases = new FreshDatabases('postgres');
  let store: Store | undefined;
  let tessera: Tessera | undefined;
  after(async () => {
    await tessera?.close();
    await store?.close();
    await databases.dropAll();
  });

  test('keeps the cache off and says why once; a later migrate brings it back', async () => {
    const { url } = await databases.create({ migrated: true });
    await rawSql('postgres', url)('DROP TRIGGER tessera_user_changed ON auth_user');
    store = await openStore(url);
    const warnings: string[] = [];
    tessera = createTessera({
      store,
      onWarning: (message) => warnings.push(message),
      onBackgroundError: (error) => assert.fail(String(error)),
    });
    const cache = tessera.tokenCache as TokenCache;
    await until(() => warnings.length === 1, 'the warning', 12_000);
    assert.match(
      warnings[0] ?? '',
      /^the token cache is off: PostgreSQL lacks .*tessera_user_changed/,
    );
    assert.equal(cache.channelUp, false);
    await store.migrate();
    // The listener looks again at its next heartbeat (every 5 s).
    await until(() => cache.channelUp, 'the cache back on', 8000);
    assert.equal(warnings.length, 1);
  });
});

describe('a token cache made before migrate()', () => {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-change-log-early-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  test('says nothing of missing triggers and comes on once the database is migrated', async () => {
    const store = await openStore(`sqlite:${join(directory, 'tessera.sqlite3')}`);
    const warnings: string[] = [];
    const tessera = createTessera({
      store,
      onWarning: (message) => warnings.push(message),
      onBackgroundError: (error) => assert.fail(String(error)),
    });
    try {
      const cache = tessera.tokenCache as TokenCache;
      await pause(300);
      assert.equal(cache.channelUp, false);
      await store.migrate();
      await until(() => cache.channelUp, 'the cache on', 3000);
      await pause(1500);
      assert.deepEqual(warnings, []);
    } finally {
      await tessera.close();
      await store.close();
    }
  });
});
