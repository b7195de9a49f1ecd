/** Every setting of tessera: the library takes this object, the CLI and server read `TESSERA_*`. */
export interface TesseraSettings {
  /** `sqlite:./tessera.sqlite3` (default), `sqlite:///absolute/path`, `sqlite::memory:`. */
  readonly databaseUrl: string;
  /** PBKDF2 iterations for new password hashes; Django 5.2's default. */
  readonly passwordIterations: number;
  /** Password hashes computed at once; kept below libuv's thread pool (4 by default). */
  readonly passwordConcurrency: number;
  /** Most `login` tokens a user keeps; the oldest goes when a new one would exceed it. */
  readonly loginTokenLimit: number;
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
  passwordIterations: 1_000_000,
  passwordConcurrency: 2,
  loginTokenLimit: 10,
  keywords: ['Token'],
  host: '127.0.0.1',
  port: 8000,
  maxBodyBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
};
