import { DEFAULT_SETTINGS } from '../core/config/settings.js';

/** How a PostgreSQL or MySQL store sizes its pool and bounds its waits; defaults from settings. */
export interface ServerPoolOptions {
  /** Most connections the store opens; `TESSERA_DB_POOL_SIZE`, 10 by default. */
  readonly poolSize?: number;
  /** Longest wait for a new connection, in ms; `TESSERA_DB_CONNECT_TIMEOUT_MS`, 5000 by default. */
  readonly connectTimeoutMs?: number;
  /** Longest one statement may run, in ms; `TESSERA_DB_STATEMENT_TIMEOUT_MS`, 10000 by default. */
  readonly statementTimeoutMs?: number;
}

/** Fills in the defaults and refuses a value that is not a positive integer. */
export function resolvePoolOptions(options: ServerPoolOptions): Required<ServerPoolOptions> {
  const resolved = {
    poolSize: options.poolSize ?? DEFAULT_SETTINGS.dbPoolSize,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_SETTINGS.dbConnectTimeoutMs,
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_SETTINGS.dbStatementTimeoutMs,
  };
  for (const [name, value] of Object.entries(resolved)) {
    // Zero would mean "no limit" to both drivers: every wait must stay finite.
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  return resolved;
}
