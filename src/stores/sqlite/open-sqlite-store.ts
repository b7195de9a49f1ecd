import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { changeLogChannel } from '../sql/change-log-channel.js';
import type { Database as Tables } from '../sql/schema.js';
import { SqlStore } from '../sql/sql-store.js';
import { storeUnavailable } from '../sql/store-unavailable.js';
import { sqliteCodec } from './sqlite-codec.js';
import { SqliteTokenLookup } from './sqlite-token-lookup.js';
import { sqliteTokenUseWriter, TOKEN_USE_BUSY_TIMEOUT_MS } from './sqlite-token-use-writer.js';

/** Where and how to open a SQLite store. */
export interface SqliteStoreOptions {
  /** A file path, or `:memory:` for a private in-memory database (one connection). */
  readonly filename: string;
  /** Opens every connection read-only: reads work, writes throw `ServiceUnavailable`. */
  readonly readonly?: boolean;
}

// Waiting blocks the event loop (better-sqlite3 is synchronous), so it stays short.
const BUSY_TIMEOUT_MS = 1000;

/** How often each process looks whether another connection wrote (`PRAGMA data_version`). */
export const CHANGE_POLL_MS = 100;

/**
 * Opens a SQLite database as a tessera `Store`. A file gets WAL mode and two connections: one
 * that writes (through Kysely) and a read-only one for the per-request token lookup.
 * @example
 * const store = openSqliteStore({ filename: 'tessera.sqlite3' });
 * await store.migrate();
 */
export function openSqliteStore(options: SqliteStoreOptions): SqlStore {
  const readonly = options.readonly ?? false;
  // Both name a database private to one connection, which a second connection would not see.
  const isPrivate = options.filename === ':memory:' || options.filename === '';
  let writer: Database.Database | undefined;
  let reader: Database.Database | undefined;
  let usageWriter: Database.Database | undefined;
  try {
    writer = new Database(options.filename, { readonly, timeout: BUSY_TIMEOUT_MS });
    if (!isPrivate && !readonly) writer.pragma('journal_mode = WAL');
    // Match PostgreSQL and MySQL, which always enforce foreign keys (Django turns them on too).
    writer.pragma('foreign_keys = ON');
    reader = isPrivate
      ? writer
      : new Database(options.filename, {
          readonly: true,
          fileMustExist: true,
          timeout: BUSY_TIMEOUT_MS,
        });
    // Token uses are written on their own connection with a short busy timeout (see there).
    usageWriter =
      isPrivate || readonly
        ? undefined
        : new Database(options.filename, { timeout: TOKEN_USE_BUSY_TIMEOUT_MS });
  } catch (error) {
    if (reader !== writer) reader?.close();
    writer?.close();
    throw storeUnavailable(error);
  }
  const readerToClose = reader === writer ? undefined : reader;
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: writer }) });
  // Other processes (the CLI, another server, a Django app) write the same file: the reader's
  // data_version moves on each of their commits, a read of a few microseconds off the request's
  // path; only then is the change log read. A private database has no other process.
  const dataVersion = reader.prepare('PRAGMA data_version').pluck();
  let seenVersion: unknown;
  const moved = () => {
    const version = dataVersion.get();
    const changed = version !== seenVersion;
    seenVersion = version;
    return changed;
  };
  return new SqlStore({
    db,
    codec: sqliteCodec,
    lookup: new SqliteTokenLookup(reader),
    ...(usageWriter ? { recordTokenUses: sqliteTokenUseWriter(usageWriter) } : {}),
    invalidationChannels: isPrivate
      ? []
      : [
          changeLogChannel({
            name: 'SQLite',
            dialect: 'sqlite',
            db,
            moved,
            pollMs: CHANGE_POLL_MS,
            prunes: !readonly,
          }),
        ],
    release: () => {
      readerToClose?.close();
      usageWriter?.close();
    },
  });
}
