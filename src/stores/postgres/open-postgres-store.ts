import { Kysely, PostgresDialect } from 'kysely';
import { resolvePoolOptions, type ServerPoolOptions } from '../server-pool-options.js';
import type { Database } from '../sql/schema.js';
import { SqlStore } from '../sql/sql-store.js';
import { storeUnavailable } from '../sql/store-unavailable.js';
import { loadPgPool, type PgPool } from './pg-pool.js';
import { postgresCodec } from './postgres-codec.js';
import { postgresInvalidationChannel } from './postgres-invalidation-channel.js';
import { PostgresTokenLookup } from './postgres-token-lookup.js';

/** Where and how to open a PostgreSQL store. */
export interface PostgresStoreOptions extends ServerPoolOptions {
  /** `postgres://user:password@host:5432/database` (or `postgresql://`), as `pg` reads it. */
  readonly url: string;
}

/**
 * Opens a PostgreSQL database as a tessera `Store`, on one `pg` pool shared by Kysely (every
 * write and most reads) and the per-request lookup (a named prepared statement). Connections open
 * on first use; `pg` is imported here, so only PostgreSQL users need it installed.
 * @example
 * const store = await openPostgresStore({ url: 'postgres://tessera@db/tessera' });
 * await store.migrate();
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<SqlStore> {
  const { poolSize, connectTimeoutMs, statementTimeoutMs } = resolvePoolOptions(options);
  const Pool = await loadPgPool();
  let pool: PgPool;
  try {
    pool = new Pool({
      connectionString: options.url,
      max: poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      // The server cancels slow statements, but a silent network never answers: give up here too.
      query_timeout: statementTimeoutMs + connectTimeoutMs,
      application_name: 'tessera',
    });
  } catch (error) {
    throw storeUnavailable(error);
  }
  // An idle connection the server drops is replaced on next use; unheard, it would crash Node.
  pool.on('error', () => {});
  // Kysely borrows the pool: it ends only in `release`, whether or not Kysely ever used it.
  const borrowed = { connect: () => pool.connect(), end: async () => {} };
  return new SqlStore({
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: borrowed }) }),
    codec: postgresCodec,
    lookup: new PostgresTokenLookup(pool),
    invalidationChannels: [postgresInvalidationChannel({ url: options.url, connectTimeoutMs })],
    release: async () => {
      if (!pool.ending) await pool.end();
    },
  });
}
