/** Every setting of tessera: the library takes this object, the CLI and server read `TESSERA_*`. */
export interface TesseraSettings {
  /**
   * `sqlite:./tessera.sqlite3` (default), `sqlite:///absolute/path`, `sqlite::memory:`,
   * `postgres://user:password@host:5432/db`, `mysql://user:password@host:3306/db`.
   */
  readonly databaseUrl: string;
  /** Most connections one process opens to PostgreSQL or MySQL (the pool's size). */
  readonly dbPoolSize: number;
  /** How long connecting to PostgreSQL or MySQL may take, in ms (pg alone waits forever). */
  readonly dbConnectTimeoutMs: number;
  /** How long one PostgreSQL or MySQL statement may run before the server cancels it, in ms. */
  readonly dbStatementTimeoutMs: number;
  /** PBKDF2 iterations for new password hashes; Django 5.2's default. */
  readonly passwordIterations: number;
  /** Password hashes computed at once; kept below libuv's thread pool (4 by default). */
  readonly passwordConcurrency: number;
  /** Most `login` tokens a user keeps; the oldest goes when a new one would exceed it. */
  readonly loginTokenLimit: number;
  /** Lifetime of login tokens in seconds; null (the default, as DRF) means they never expire. */
  readonly loginTokenLifetimeSeconds: number | null;
  /** Record each token's last use (at most once a minute, written off the request's path). */
  readonly trackLastUsed: boolean;
  /** The server's log level: `fatal`, `error`, `warn`, `info` (default) or `debug`. */
  readonly logLevel: string;
  /** Accepted `Authorization` schemes; the first is sent in `WWW-Authenticate`. */
  readonly keywords: readonly string[];
  readonly host: string;
  readonly port: number;
  /** Largest request body read, in bytes; a larger one gets 413. */
  readonly maxBodyBytes: number;
  /** Largest request head (request line and headers), in bytes; Node answers 431 beyond it. */
  readonly maxHeaderBytes: number;
}

/** The defaults, used for every setting not given. */
export const DEFAULT_SETTINGS: TesseraSettings = {
  databaseUrl: 'sqlite:./tessera.sqlite3',
  dbPoolSize: 10,
  dbConnectTimeoutMs: 5000,
  dbStatementTimeoutMs: 10_000,
  passwordIterations: 1_000_000,
  passwordConcurrency: 2,
  loginTokenLimit: 10,
  loginTokenLifetimeSeconds: null,
  trackLastUsed: true,
  logLevel: 'info',
  keywords: ['Token'],
  host: '127.0.0.1',
  port: 8000,
  maxBodyBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
};
