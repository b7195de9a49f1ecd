import type { MysqlPoolConnection } from 'kysely';
import { loadOptionalExport } from '../../core/config/optional-package.js';

/** A connection as the pool's `connection` event hands it over, before anyone else uses it. */
export interface Mysql2NewConnection {
  query(sql: string, callback: (error: Error | null) => void): unknown;
}

/** The part of `mysql2`'s callback pool the MySQL store uses (structural: `mysql2` is optional). */
export interface Mysql2Pool {
  getConnection(callback: (error: unknown, connection: MysqlPoolConnection) => void): void;
  /** Prepares `sql` once per connection (the binary protocol), then only executes it. */
  execute(
    sql: string,
    values: readonly unknown[],
    callback: (error: Error | null, rows: unknown) => void,
  ): unknown;
  end(callback: (error: unknown) => void): void;
  on(event: 'connection', listener: (connection: Mysql2NewConnection) => void): unknown;
}

/** The `mysql2` pool options the store sets. */
export interface Mysql2PoolConfig {
  /** `mysql://user:password@host:3306/database`; mysql2 reads any scheme the same way. */
  readonly uri: string;
  readonly connectionLimit: number;
  readonly connectTimeout: number;
  /** Reads and writes `DATETIME` as UTC, whatever the server's or Node's time zone. */
  readonly timezone: 'Z';
  readonly dateStrings: false;
  readonly waitForConnections: true;
}

/** `mysql2.createPool`. */
export type Mysql2CreatePool = (config: Mysql2PoolConfig) => Mysql2Pool;

/** Loads `mysql2` on first use; a missing package is one error naming it. */
export async function loadMysql2CreatePool(): Promise<Mysql2CreatePool> {
  return (await loadOptionalExport('mysql2', 'createPool', 'MySQL/MariaDB')) as Mysql2CreatePool;
}
