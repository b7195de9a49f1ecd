import type { PostgresPoolClient } from 'kysely';
import { loadOptionalExport } from '../../core/config/optional-package.js';

/** A query `pg` prepares once per connection under `name` and then only executes. */
export interface PgNamedQuery {
  readonly name: string;
  readonly text: string;
  readonly values: readonly unknown[];
}

/** The part of `pg.Pool` the PostgreSQL store uses (structural, so `pg` stays optional). */
export interface PgPool {
  /** True once `end` has been called. */
  readonly ending: boolean;
  query<Row>(query: PgNamedQuery): Promise<{ readonly rows: Row[] }>;
  connect(): Promise<PostgresPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The `pg.Pool` options the store sets. */
export interface PgPoolConfig {
  readonly connectionString: string;
  readonly max: number;
  readonly connectionTimeoutMillis: number;
  /** Sent at connection start-up, so the server cancels any statement that runs longer. */
  readonly statement_timeout: number;
  /** The client's own limit on a query's answer, for a network that went silent. */
  readonly query_timeout: number;
  readonly application_name: string;
}

/** `pg.Pool`'s constructor. */
export type PgPoolConstructor = new (config: PgPoolConfig) => PgPool;

/** Loads `pg` on first use; a missing package is one error naming it. */
export async function loadPgPool(): Promise<PgPoolConstructor> {
  return (await loadOptionalExport('pg', 'Pool', 'PostgreSQL')) as PgPoolConstructor;
}
