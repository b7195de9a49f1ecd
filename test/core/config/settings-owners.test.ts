import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_KEYWORDS } from '../../../src/core/auth/token-authentication.js';
import { passwordHasherFromSettings } from '../../../src/core/config/password-hasher-from-settings.js';
import { SETTING_DEFINITIONS } from '../../../src/core/config/setting-definitions.js';
import {
  DEFAULT_SETTINGS,
  type LibrarySettings,
  settingsOwnedBy,
} from '../../../src/core/config/settings.js';
import {
  librarySettingsFromEnv,
  SettingsError,
  serverSettingsFromEnv,
  settingsFromEnv,
  storeSettingsFromEnv,
} from '../../../src/core/config/settings-from-env.js';
import { DEFAULT_PBKDF2_ITERATIONS } from '../../../src/core/passwords/django-pbkdf2.js';
import {
  DEFAULT_HASH_CONCURRENCY,
  DEFAULT_HASH_QUEUE_LIMIT,
} from '../../../src/core/passwords/password-hasher.js';
import { createTessera } from '../../../src/core/tessera.js';
import { openStore } from '../../../src/stores/open-store.js';
import { openSqliteStore } from '../../../src/stores/sqlite/index.js';
import { ALL_MIGRATIONS } from '../../stores/migration-names.js';

function refusedWith(message: string) {
  return (error: unknown) => error instanceof SettingsError && error.message === message;
}

test('createTessera refuses a store or server setting, naming it and where it goes', () => {
  const store = openSqliteStore({ filename: ':memory:' });
  assert.throws(
    // @ts-expect-error: only library settings type-check; JavaScript callers get the error.
    () => createTessera({ store, settings: { databaseUrl: 'sqlite::memory:' } }),
    refusedWith('databaseUrl is a store setting: pass it to openStore'),
  );
  for (const [settings, message] of [
    [{ redisUrl: 'redis://127.0.0.1:6379' }, 'redisUrl is a store setting: pass it to openStore'],
    [
      { port: 8080 },
      'port is a server setting: pass it to serve or buildServer (TESSERA_* for tessera serve)',
    ],
  ] as const) {
    const untyped = settings as unknown as Partial<LibrarySettings>;
    assert.throws(() => createTessera({ store, settings: untyped }), refusedWith(message));
  }
  assert.throws(
    // @ts-expect-error: not a setting at all.
    () => createTessera({ store, settings: { tokenCacheTtl: 60 } }),
    (error: unknown) =>
      error instanceof SettingsError &&
      error.message.startsWith('tokenCacheTtl is not a tessera setting; createTessera takes ') &&
      error.message.includes('tokenCacheSeconds'),
  );
  // The full set read from the environment is refused too: its store part would be ignored.
  assert.throws(
    () => createTessera({ store, settings: settingsFromEnv({}) }),
    /databaseUrl is a store setting: pass it to openStore/,
  );
});

test('createTessera takes the library part of the environment, and undefined means the default', async () => {
  const store = openSqliteStore({ filename: ':memory:' });
  const settings = settingsFromEnv({ TESSERA_KEYWORDS: 'Bearer', TESSERA_TOKEN_CACHE_TTL: '1m' });
  const tessera = createTessera({
    store,
    settings: { ...settingsOwnedBy('library', settings), loginTokenLimit: undefined },
  });
  assert.deepEqual(tessera.settings.keywords, ['Bearer']);
  assert.equal(tessera.settings.tokenCacheSeconds, 60);
  assert.equal(tessera.settings.loginTokenLimit, DEFAULT_SETTINGS.loginTokenLimit);
  assert.deepEqual(
    Object.keys(tessera.settings).sort(),
    Object.keys(librarySettingsFromEnv({})).sort(),
  );
  await tessera.close();
  await store.close();
});

test('openStore refuses a library or server setting, and two different database URLs', async () => {
  await assert.rejects(
    // @ts-expect-error: only store settings type-check.
    openStore('sqlite::memory:', { passwordIterations: 1000 }),
    refusedWith('passwordIterations is a library setting: pass it to createTessera'),
  );
  await assert.rejects(
    // @ts-expect-error: only store settings type-check.
    openStore('sqlite::memory:', { logLevel: 'debug' }),
    /^SettingsError: logLevel is a server setting/,
  );
  await assert.rejects(
    openStore('sqlite::memory:', { databaseUrl: 'sqlite:./elsewhere.sqlite3' }),
    refusedWith(
      'openStore was given two different database URLs: its first argument and settings.databaseUrl',
    ),
  );
});

test('openStore takes the store part of the environment, URL included', async () => {
  const settings = storeSettingsFromEnv({ DATABASE_URL: 'sqlite::memory:' });
  const store = await openStore(settings);
  assert.deepEqual(await store.migrate(), ALL_MIGRATIONS);
  await store.close();
  const same = await openStore(settings.databaseUrl, settings);
  await same.close();
});

test("each reader reads its owner's settings, and together they are every setting", () => {
  const owners = {
    library: Object.keys(librarySettingsFromEnv({})),
    store: Object.keys(storeSettingsFromEnv({})),
    server: Object.keys(serverSettingsFromEnv({})),
  };
  for (const [owner, keys] of Object.entries(owners)) {
    for (const key of keys) {
      assert.equal(SETTING_DEFINITIONS[key as keyof typeof SETTING_DEFINITIONS].owner, owner, key);
    }
  }
  assert.deepEqual(
    [...owners.library, ...owners.store, ...owners.server].sort(),
    Object.keys(SETTING_DEFINITIONS).sort(),
  );
  assert.deepEqual(settingsFromEnv({}), DEFAULT_SETTINGS);
  // The server's pair check stays with the server's reader.
  assert.throws(
    () => serverSettingsFromEnv({ TESSERA_HEADERS_TIMEOUT_MS: '40000' }),
    /must not exceed TESSERA_REQUEST_TIMEOUT_MS/,
  );
  assert.doesNotThrow(() => librarySettingsFromEnv({ TESSERA_HEADERS_TIMEOUT_MS: '40000' }));
});

test('defaults written once: the hasher, the keywords and the table agree', () => {
  assert.equal(DEFAULT_SETTINGS.passwordIterations, DEFAULT_PBKDF2_ITERATIONS);
  assert.equal(DEFAULT_SETTINGS.passwordConcurrency, DEFAULT_HASH_CONCURRENCY);
  assert.equal(DEFAULT_SETTINGS.passwordQueueLimit, DEFAULT_HASH_QUEUE_LIMIT);
  assert.equal(DEFAULT_SETTINGS.keywords, DEFAULT_KEYWORDS);
  const hasher = passwordHasherFromSettings(DEFAULT_SETTINGS);
  assert.equal(hasher.iterations, DEFAULT_PBKDF2_ITERATIONS);
  assert.equal(hasher.limit.maxActive, DEFAULT_HASH_CONCURRENCY);
  assert.equal(hasher.limit.maxWaiting, DEFAULT_HASH_QUEUE_LIMIT);
  const library: LibrarySettings = settingsOwnedBy('library', DEFAULT_SETTINGS);
  assert.equal('databaseUrl' in library, false);
});
