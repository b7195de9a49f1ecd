import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SettingsError } from '../../src/core/settings-from-env.js';
import { openStore, sqliteFilename } from '../../src/stores/open-store.js';

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
      assert.deepEqual(await store.migrate(), ['0001_initial']);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('other schemes are refused without repeating the URL, which may hold a password', async () => {
  await assert.rejects(openStore('postgres://tessera:s3cret@db/tessera'), (error: unknown) => {
    assert.ok(error instanceof SettingsError);
    assert.match(error.message, /postgres: scheme is not supported/);
    assert.equal(error.message.includes('s3cret'), false);
    return true;
  });
});
