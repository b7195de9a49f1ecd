import { Kysely, type MysqlPool } from 'kysely';
import { resolvePoolOptions, type ServerPoolOptions } from '../server-pool-options.js';
import { changeLogChannel } from '../sql/change-log-channel.js';
import type { Database } from '../sql/schema.js';
import { SqlStore } from '../sql/sql-store.js';
import { storeUnavailable } from '../sql/store-unavailable.js';
import { mysqlCodec } from './mysql-codec.js';
import { CheckedMysqlDialect } from './mysql-migration-lock.js';
import { MysqlTokenLookup } from './mysql-token-lookup.js';
import { loadMysql2CreatePool, type Mysql2Pool } from './mysql2-pool.js';

/** How often each node reads the change log the revocation triggers fill. */
export const CHANGE_POLL_MS = 250;

/** Where and how to open a MySQL or MariaDB store. */
export interface MysqlStoreOptions extends ServerPoolOptions {
  /** `mysql://user:password@host:3306/database` (or `mariadb://`), as `mysql2` reads it. */
  readonly url: string;
}

/**
 * Opens a MySQL or MariaDB database as a tessera `Store`, on one `mysql2` pool shared by Kysely
 * (every write and most reads) and the per-request lookup (a prepared statement). Connections open
 * on first use; `mysql2` is imported here, so only MySQL users need it installed.
 * @example
 * const store = await openMysqlStore({ url: 'mysql://tessera@db/tessera' });
 * await store.migrate();
 */
export async function openMysqlStore(options: MysqlStoreOptions): Promise<SqlStore> {
  const { poolSize, connectTimeoutMs, statementTimeoutMs } = resolvePoolOptions(options);
  const createPool = await loadMysql2CreatePool();
  let pool: Mysql2Pool;
  try {
    pool = createPool({
      uri: options.url,
      connectionLimit: poolSize,
      connectTimeout: connectTimeoutMs,
      timezone: 'Z',
      dateStrings: false,
      waitForConnections: true,
    });
  } catch (error) {
    throw storeUnavailable(error);
  }
  pool.on('connection', (connection) => {
    // Queued before the connection's first use. MariaDB bounds every statement with
    // `max_statement_time` (seconds), MySQL bounds SELECTs with `max_execution_time` (ms); each
    // server refuses the other's variable, and that refusal is expected.
    const ignore = () => {};
    connection.query(`SET SESSION max_statement_time = ${statementTimeoutMs / 1000}`, ignore);
    connection.query(`SET SESSION max_execution_time = ${statementTimeoutMs}`, ignore);
  });
  // Kysely borrows the pool: it ends only in `release`, whether or not Kysely ever used it.
  const borrowed: MysqlPool = {
    getConnection: (callback) => pool.getConnection(callback),
    end: (callback) => callback(null),
  };
  const db = new Kysely<Database>({
    // Another node's migration is waited for as long as one statement may run.
    dialect: new CheckedMysqlDialect({ pool: borrowed }, Math.ceil(statementTimeoutMs / 1000)),
  });
  return new SqlStore({
    db,
    codec: mysqlCodec,
    lookup: new MysqlTokenLookup(pool),
    // Triggers log every revoking change, whoever makes it; Redis, when set, carries only
    // tessera's own writes, so the log is read with or without it.
    invalidationChannels: [
      changeLogChannel({ name: 'MySQL/MariaDB', dialect: 'mysql', db, pollMs: CHANGE_POLL_MS }),
    ],
    release: () =>
      new Promise<void>((resolve, reject) => {
        pool.end((error) => (error ? reject(error) : resolve()));
      }),
  });
}
