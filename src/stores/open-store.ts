import { loadOptionalExport } from '../core/config/optional-package.js';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../core/config/settings.js';
import { SettingsError } from '../core/config/settings-from-env.js';
import type { InvalidationNotPublished } from '../core/invalidation.js';
import type { Store } from '../core/store.js';
import { openMysqlStore } from './mysql/index.js';
import { openPostgresStore } from './postgres/index.js';
import { redisInvalidationChannel } from './redis/redis-invalidation-channel.js';
import type { SqlStore } from './sql/sql-store.js';
import { openSqliteStore } from './sqlite/index.js';

/** The settings a server database's pool takes; SQLite ignores them. */
export type StoreSettings = Partial<
  Pick<TesseraSettings, 'dbPoolSize' | 'dbConnectTimeoutMs' | 'dbStatementTimeoutMs' | 'redisUrl'>
>;

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
 * loaded only then, and a missing one is an `OptionalPackageError` naming the package.
 * @example
 * const store = await openStore('sqlite:./tessera.sqlite3');
 * const shared = await openStore(settings.databaseUrl, settings);
 */
export async function openStore(
  databaseUrl: string,
  settings: StoreSettings = {},
  options: OpenStoreOptions = {},
): Promise<Store> {
  const store = await openDatabase(databaseUrl, settings);
  if (settings.redisUrl) {
    // Every process that writes (servers and the CLI) publishes; servers also listen. Closing the
    // store waits for publishes still on their way, so a CLI command's revocation goes out.
    await loadOptionalExport('ioredis', 'Redis', 'Redis');
    (store as SqlStore).addInvalidationChannel(
      redisInvalidationChannel({
        url: settings.redisUrl,
        connectTimeoutMs: settings.dbConnectTimeoutMs ?? DEFAULT_SETTINGS.dbConnectTimeoutMs,
        onNotPublished: options.onInvalidationNotPublished ?? warn,
      }),
    );
  }
  return store;
}

async function openDatabase(databaseUrl: string, settings: StoreSettings): Promise<SqlStore> {
  // Only the scheme is ever shown: the rest of a server URL may hold a password.
  const scheme = SCHEME.exec(databaseUrl)?.[0].toLowerCase();
  if (scheme === 'sqlite:') {
    return openSqliteStore({ filename: sqliteFilename(databaseUrl) });
  }
  const pool = {
    poolSize: settings.dbPoolSize,
    connectTimeoutMs: settings.dbConnectTimeoutMs,
    statementTimeoutMs: settings.dbStatementTimeoutMs,
  };
  if (scheme === 'postgres:' || scheme === 'postgresql:') {
    return openPostgresStore({ url: serverUrl(databaseUrl, scheme), ...pool });
  }
  if (scheme === 'mysql:' || scheme === 'mariadb:') {
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
