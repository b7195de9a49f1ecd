import { DEFAULT_HASH_QUEUE_LIMIT } from '../passwords/password-hasher.js';
import { DEFAULT_KEY_FAILURE_RATE } from '../throttling/key-guess-limit.js';
import { DEFAULT_LOGIN_FAILURE_RATES } from '../throttling/login-throttle.js';

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
  /** Password hashes allowed to wait for a slot; beyond it obtain-token answers 503 at once. */
  readonly passwordQueueLimit: number;
  /** Failed logins per username from one client IP, e.g. `5/min`; null switches it off. */
  readonly loginFailuresPerUserIp: string | null;
  /** Failed logins per username from any IP (a looser ceiling); null switches it off. */
  readonly loginFailuresPerUser: string | null;
  /** Failed logins per client IP, whatever the username; null switches it off. */
  readonly loginFailuresPerIp: string | null;
  /** Failed token authentications per client IP; past it, 429 before any database read. */
  readonly keyFailuresPerIp: string | null;
  /**
   * Reverse proxies in front of the server that append to `X-Forwarded-For` (DRF's
   * `NUM_PROXIES`); null (the default) trusts none and ignores the header.
   */
  readonly numProxies: number | null;
  /** Redis holding throttle counts shared by several nodes; null keeps them in memory. */
  readonly redisUrl: string | null;
  /** Most `login` tokens a user keeps; the oldest goes when a new one would exceed it. */
  readonly loginTokenLimit: number;
  /** Lifetime of login tokens in seconds; null (the default, as DRF) means they never expire. */
  readonly loginTokenLifetimeSeconds: number | null;
  /** Record each token's last use (at most once a minute, written off the request's path). */
  readonly trackLastUsed: boolean;
  /**
   * How long a verified token is served from memory, in seconds; null (the default) turns the
   * token cache off. Where no invalidation channel reaches a node (SQLite, MySQL without Redis)
   * it bounds how late a revocation from another process takes effect there.
   */
  readonly tokenCacheSeconds: number | null;
  /** Most tokens the cache holds. */
  readonly tokenCacheMaxEntries: number;
  /** Most bytes (estimated) the cache holds. */
  readonly tokenCacheMaxBytes: number;
  /** Keep serving cached tokens while the invalidation channel is down (until their TTL). */
  readonly tokenCacheDuringOutage: boolean;
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
  /** How long a client may take to send the request head, in ms; then 408 and the close. */
  readonly headersTimeoutMs: number;
  /** How long a client may take to send the whole request, head and body, in ms; then 408. */
  readonly requestTimeoutMs: number;
  /**
   * How long a connection may pass no byte either way, in ms; then it is closed without an
   * answer. Above the longest a view waits (the database's statement timeout, the hash queue).
   */
  readonly idleTimeoutMs: number;
  /** How long a kept-alive connection may wait for its next request, in ms. */
  readonly keepAliveTimeoutMs: number;
}

/** The defaults, used for every setting not given. */
export const DEFAULT_SETTINGS: TesseraSettings = {
  databaseUrl: 'sqlite:./tessera.sqlite3',
  dbPoolSize: 10,
  dbConnectTimeoutMs: 5000,
  dbStatementTimeoutMs: 10_000,
  passwordIterations: 1_000_000,
  passwordConcurrency: 2,
  passwordQueueLimit: DEFAULT_HASH_QUEUE_LIMIT,
  loginFailuresPerUserIp: DEFAULT_LOGIN_FAILURE_RATES.perUserAndAddress,
  loginFailuresPerUser: DEFAULT_LOGIN_FAILURE_RATES.perUser,
  loginFailuresPerIp: DEFAULT_LOGIN_FAILURE_RATES.perAddress,
  keyFailuresPerIp: DEFAULT_KEY_FAILURE_RATE,
  numProxies: null,
  redisUrl: null,
  loginTokenLimit: 10,
  loginTokenLifetimeSeconds: null,
  trackLastUsed: true,
  tokenCacheSeconds: null,
  tokenCacheMaxEntries: 10_000,
  tokenCacheMaxBytes: 32 * 1024 * 1024,
  tokenCacheDuringOutage: false,
  logLevel: 'info',
  keywords: ['Token'],
  host: '127.0.0.1',
  port: 8000,
  maxBodyBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5000,
};

/**
 * Every failure limit switched off, for fixtures that must never see a 429 (parity, fuzz and
 * benchmark servers): `{ ...DEFAULT_SETTINGS, ...THROTTLING_OFF }`.
 */
export const THROTTLING_OFF = {
  loginFailuresPerUserIp: null,
  loginFailuresPerUser: null,
  loginFailuresPerIp: null,
  keyFailuresPerIp: null,
} as const satisfies Partial<TesseraSettings>;
