import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src/core/config/settings.js';
import { generateKey, keyDigest } from '../../src/core/tokens/key-format.js';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/stores/open-store.js';
import { MigrationsPending } from '../../src/stores/sql/migrations-pending.js';
import { FreshDatabases } from './fresh-database.js';
import { ALL_MIGRATIONS, NEVER_MIGRATED_MESSAGE } from './migration-names.js';

const MESSAGE = NEVER_MIGRATED_MESSAGE;

function isMigrationsPending(error: unknown): boolean {
  return (
    error instanceof MigrationsPending &&
    error.message === MESSAGE &&
    error.pending.join() === ALL_MIGRATIONS.join()
  );
}

const sqliteDirectory = mkdtempSync(join(tmpdir(), 'tessera-migrations-pending-'));
const databases = {
  postgres: new FreshDatabases('postgres'),
  mariadb: new FreshDatabases('mysql'),
};
after(async () => {
  rmSync(sqliteDirectory, { recursive: true, force: true });
  await databases.postgres.dropAll();
  await databases.mariadb.dropAll();
});

const urls: Record<string, () => Promise<string>> = {
  SQLite: async () =>
    `sqlite:${join(sqliteDirectory, `${Math.random().toString(36).slice(2)}.sqlite3`)}`,
  PostgreSQL: async () => (await databases.postgres.create()).url,
  MariaDB: async () => (await databases.mariadb.create()).url,
};

for (const [name, freshUrl] of Object.entries(urls)) {
  describe(`${name}: a store used before migrate() names the missing migration`, () => {
    test('every first use (the per-request lookup included) throws MigrationsPending, until migrate()', async () => {
      const store = await openStore(await freshUrl());
      try {
        await assert.rejects(store.getUserByUsername('ann'), isMigrationsPending);
        await assert.rejects(
          store.findTokenByDigest(keyDigest(generateKey())),
          isMigrationsPending,
        );
        await assert.rejects(
          store.createUser({ username: 'ann', password: '!', dateJoined: new Date() }),
          isMigrationsPending,
        );
        assert.deepEqual(await store.migrate(), ALL_MIGRATIONS);
        assert.equal(await store.getUserByUsername('ann'), null);
        assert.equal(await store.findTokenByDigest(keyDigest(generateKey())), null);
      } finally {
        await store.close();
      }
    });

    test('a database another process migrates meanwhile is used without reopening', async () => {
      const url = await freshUrl();
      const server = await openStore(url);
      const cli = await openStore(url);
      try {
        await assert.rejects(server.getUserByUsername('ann'), isMigrationsPending);
        await cli.migrate();
        assert.equal(await server.getUserByUsername('ann'), null);
      } finally {
        await cli.close();
        await server.close();
      }
    });
  });
}

test('the reference server on an unmigrated database answers 500 and logs why, naming the migration', async () => {
  const store = await openStore('sqlite::memory:');
  const stream = new PassThrough();
  let log = '';
  stream.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const app = await buildServer({ store, settings: DEFAULT_SETTINGS, logStream: stream });
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/api/build-trigger/',
      headers: { authorization: `Token ${generateKey()}` },
    });
    assert.equal(response.statusCode, 500);
    assert.equal(response.body, '{"detail":"A server error occurred."}');
    const reported = log
      .split('\n')
      .filter((line) => line.includes('MigrationsPending'))
      .map((line) => JSON.parse(line) as { level: number; err: { message: string } });
    assert.equal(reported[0]?.level, 50);
    assert.equal(reported[0]?.err.message, MESSAGE);
  } finally {
    await app.close();
    await store.close();
  }
});
