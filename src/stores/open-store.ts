import { SettingsError } from '../core/settings-from-env.js';
import type { Store } from '../core/store.js';
import { openSqliteStore } from './sqlite/index.js';

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
 * Opens the store a `DATABASE_URL` names, without migrating it.
 * @example
 * const store = await openStore('sqlite:./tessera.sqlite3');
 */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    return openSqliteStore({ filename: sqliteFilename(databaseUrl) });
  }
  // Only the scheme is shown: the rest of a server URL may hold a password.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(databaseUrl)?.[0] ?? 'this';
  throw new SettingsError(`DATABASE_URL: the ${scheme} scheme is not supported yet (sqlite: is)`);
}
