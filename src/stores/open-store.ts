import { loadOptionalExport } from '../core/config/optional-package.js';
import { resolveSettings, type StoreSettings } from '../core/config/settings.js';
import { SettingsError } from '../core/config/settings-error.js';
import type { InvalidationNotPublished } from '../core/invalidation.js';
import type { Store } from '../core/store.js';
import type { SqlStore } from './sql/sql-store.js';

export type { StoreSettings } from '../core/config/settings.js';

/** What `openStore` tells its caller about, beside settings. */
export interface OpenStoreOptions {
  /**
   * Told when a committed change's invalidation could not be published through Redis: other
   * nodes then serve the affected keys from their caches until the TTL. Default: a process
   * warning (Node prints it on stderr), so the failure is never silent.
   */
  readonly onInvalidationNotPublished?: (failure: InvalidationNotPublished) => void;
}

function warn(failure: InvalidationNotPublished): void {
  process.emitWarning(failure.message, { type: failure.name });
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * The SQLite file a `sqlite:` URL names: `sqlite:./tessera.sqlite3` (relative),
 * `sqlite:///absolute/path`, or `sqlite::memory:`.
 */
export function sqliteFilename(databaseUrl: string): string {
  const rest = databaseUrl.slice('sqlite:'.length);
  // `sqlite:///abs` is the URL form of `/abs`; `sqlite:/abs` and `sqlite:rel` are plain paths.
  const filename = rest.startsWith('///') ? rest.slice(2) : rest;
  if (filename === '' || (rest.startsWith('//') && !rest.startsWith('///'))) {
    throw new SettingsError(
      'DATABASE_URL must look like sqlite:./tessera.sqlite3, sqlite:///absolute/path or sqlite::memory:',
    );
  }
  return filename;
}

/**
 * Opens the store a `DATABASE_URL` names, without migrating it: `sqlite:`, `postgres://` or
 * `postgresql://`, `mysql://` or `mariadb://`. A server database's driver (`pg`, `mysql2`) is
 * loaded only then, and a missing one is an `OptionalPackageError` naming the package. The pool
 * settings apply to PostgreSQL and MySQL (SQLite has no pool); a library or server setting in
 * `settings` is a `SettingsError` naming where it goes, never silently ignored. Until
 * `store.migrate()` has run, the store's first use throws `MigrationsPending`.
 * @example
 * const store = await openStore('sqlite:./tessera.sqlite3');
 * const shared = await openStore(storeSettingsFromEnv()); // DATABASE_URL, TESSERA_DB_*, REDIS_URL
 */
export async function openStore(
  settings: Partial<StoreSettings>,
  options?: OpenStoreOptions,
): Promise<Store>;
/** Opens the store `databaseUrl` names, with the other store settings from `settings`. */
export async function openStore(
  databaseUrl: string,
  settings?: Partial<StoreSettings>,
  options?: OpenStoreOptions,
): Promise<Store>;
export async function openStore(
  first: string | Partial<StoreSettings>,
  second: Partial<StoreSettings> | OpenStoreOptions = {},
  third: OpenStoreOptions = {},
): Promise<Store> {
  const [given, options]: [Partial<StoreSettings>, OpenStoreOptions] =
    typeof first === 'string'
      ? [second as Partial<StoreSettings>, third]
      : [first, second as OpenStoreOptions];
  const settings = resolveSettings('store', given, 'openStore');
  const databaseUrl = typeof first === 'string' ? first : settings.databaseUrl;
  // Settings read from the environment carry a URL too: with two different ones the caller
  // could not tell which database was opened.
  if (given.databaseUrl !== undefined && given.databaseUrl !== databaseUrl) {
    throw new SettingsError(
      'openStore was given two different database URLs: its first argument and settings.databaseUrl',
    );
  }
  const store = await openDatabase(databaseUrl, settings);
  if (settings.redisUrl) {
    // Every process that writes (servers and the CLI) publishes; servers also listen. Closing the
    // store waits for publishes still on their way, so a CLI command's revocation goes out.
    await loadOptionalExport('ioredis', 'Redis', 'Redis');
    const { redisInvalidationChannel } = await import('./redis/redis-invalidation-channel.js');
    (store as SqlStore).addInvalidationChannel(
      redisInvalidationChannel({
        url: settings.redisUrl,
        connectTimeoutMs: settings.dbConnectTimeoutMs,
        onNotPublished: options.onInvalidationNotPublished ?? warn,
      }),
    );
  }
  return store;
}

async function openDatabase(databaseUrl: string, settings: StoreSettings): Promise<SqlStore> {
  // Only the scheme is ever shown: the rest of a server URL may hold a password.
  const scheme = SCHEME.exec(databaseUrl)?.[0].toLowerCase();
  // Each store's module (its driver, Kysely) is loaded only when its URL is opened, so importing
  // tessera-auth loads no database code; test/package/entry-points.test.ts holds it to that.
  if (scheme === 'sqlite:') {
    const { openSqliteStore } = await import('./sqlite/open-sqlite-store.js');
    return openSqliteStore({ filename: sqliteFilename(databaseUrl) });
  }
  const pool = {
    poolSize: settings.dbPoolSize,
    connectTimeoutMs: settings.dbConnectTimeoutMs,
    statementTimeoutMs: settings.dbStatementTimeoutMs,
  };
  if (scheme === 'postgres:' || scheme === 'postgresql:') {
    const { openPostgresStore } = await import('./postgres/open-postgres-store.js');
    return openPostgresStore({ url: serverUrl(databaseUrl, scheme), ...pool });
  }
  if (scheme === 'mysql:' || scheme === 'mariadb:') {
    const { openMysqlStore } = await import('./mysql/open-mysql-store.js');
    return openMysqlStore({ url: serverUrl(databaseUrl, scheme), ...pool });
  }
  throw new SettingsError(
    scheme === undefined
      ? 'DATABASE_URL has no scheme: it must start with sqlite:, postgres://, or mysql:// (e.g. sqlite:./tessera.sqlite3)'
      : `DATABASE_URL: the ${scheme} scheme is not supported (sqlite:, postgres:, mysql: are)`,
  );
}

/** The URL itself, once it is known to parse as `scheme://…`; the error never repeats it. */
function serverUrl(databaseUrl: string, scheme: string): string {
  const parses = URL.canParse(databaseUrl);
  if (!parses || databaseUrl.slice(scheme.length, scheme.length + 2) !== '//') {
    throw new SettingsError(
      `DATABASE_URL must look like ${scheme}//user:password@host:port/database`,
    );
  }
  return databaseUrl;
}
