import { DEFAULT_KEYWORDS } from '../auth/token-authentication.js';
import { WRITABLE_HASHERS } from '../passwords/django-hasher-names.js';
import { DEFAULT_PBKDF2_ITERATIONS } from '../passwords/django-pbkdf2.js';
import {
  DEFAULT_HASH_CONCURRENCY,
  DEFAULT_HASH_QUEUE_LIMIT,
} from '../passwords/password-hasher.js';
import { DEFAULT_KEY_FAILURE_RATE } from '../throttling/key-guess-limit.js';
import { DEFAULT_LOGIN_FAILURE_RATES } from '../throttling/login-throttle.js';
import type {
  LibrarySettings,
  ServerSettings,
  StoreSettings,
  TesseraSettings,
} from './settings.js';

/** Who reads a setting: `createTessera` (library), `openStore` (store) or the reference server. */
export type SettingOwner = 'library' | 'store' | 'server';

/** A setting's name in `TesseraSettings`. */
export type SettingKey = keyof TesseraSettings;

/** The log levels `TESSERA_LOG_LEVEL` accepts (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * How a setting's variable is read, and the value it gives:
 * - `integer`: a whole number of at least `min`.
 * - `count`: a whole number of at least 0, or `none` for null.
 * - `duration`: `30s`, `5m`, `12h`, `30d`, `2w` (at most 18250d) in seconds, or `off`/`none` for null.
 * - `flag`: `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`).
 * - `rate`: DRF's `<count>/<s|m|h|d…>`, or `off`/`none` for null (the limit switched off).
 * - `enum`: one of `values`, case-insensitive.
 * - `keywords`: comma-separated HTTP auth-scheme words.
 * - `url`, `text`: the value as written, trimmed.
 */
export type SettingKind =
  | { readonly kind: 'integer'; readonly min: number }
  | { readonly kind: 'count' }
  | { readonly kind: 'duration' }
  | { readonly kind: 'flag' }
  | { readonly kind: 'rate' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'keywords' }
  | { readonly kind: 'url' }
  | { readonly kind: 'text' };

type OwnerOf<Key extends SettingKey> = Key extends keyof LibrarySettings
  ? 'library'
  : Key extends keyof StoreSettings
    ? 'store'
    : Key extends keyof ServerSettings
      ? 'server'
      : never;

/** One row of the settings table. */
export type SettingDefinition<Key extends SettingKey = SettingKey> = SettingKind & {
  /** The environment variable the CLI and the server read it from. */
  readonly env: string;
  readonly owner: OwnerOf<Key>;
  readonly default: TesseraSettings[Key];
  /** One line for docs/settings.md (Markdown; links are relative to docs/). */
  readonly doc: string;
};

/**
 * Every setting, in the order docs/settings.md lists them: its variable, owner, kind, default
 * and meaning. The environment readers, the defaults, the owner checks and the documented table
 * all come from here; a setting missing a row, or a row with the wrong owner, does not compile.
 */
export const SETTING_DEFINITIONS: { readonly [Key in SettingKey]: SettingDefinition<Key> } = {
  databaseUrl: {
    env: 'DATABASE_URL',
    owner: 'store',
    kind: 'url',
    default: 'sqlite:./tessera.sqlite3',
    doc: 'Where users and tokens live. `sqlite:./relative/path` (relative to the working directory), `sqlite:///absolute/path`, `sqlite::memory:`, `postgres://user:password@host:5432/database`, `mysql://user:password@host:3306/database` (see [Databases](databases.md)).',
  },
  dbPoolSize: {
    env: 'TESSERA_DB_POOL_SIZE',
    owner: 'store',
    kind: 'integer',
    min: 1,
    default: 10,
    doc: 'PostgreSQL/MySQL: most connections one process opens.',
  },
  dbConnectTimeoutMs: {
    env: 'TESSERA_DB_CONNECT_TIMEOUT_MS',
    owner: 'store',
    kind: 'integer',
    min: 1,
    default: 5000,
    doc: 'PostgreSQL/MySQL: longest wait for a new connection (on PostgreSQL also for a free one from a full pool); then the request gets 503.',
  },
  dbStatementTimeoutMs: {
    env: 'TESSERA_DB_STATEMENT_TIMEOUT_MS',
    owner: 'store',
    kind: 'integer',
    min: 1,
    default: 10_000,
    doc: 'PostgreSQL/MySQL: longest one statement may run before the server cancels it (503). Migrations are statements too.',
  },
  passwordHasher: {
    env: 'TESSERA_PASSWORD_HASHER',
    owner: 'library',
    kind: 'enum',
    values: WRITABLE_HASHERS,
    default: 'pbkdf2_sha256',
    doc: "The Django hasher new password hashes are written with (Django's first `PASSWORD_HASHERS` entry); choose one the Django sharing the database verifies (`scrypt` needs Django 4.0 or later; `argon2` needs `npm install argon2`, `bcrypt_sha256` needs `npm install bcryptjs`). A successful login rewrites a hash of any other hasher with this one. Every Django hasher but `crypt` is verified whatever this says. See [Passwords](passwords.md).",
  },
  passwordIterations: {
    env: 'TESSERA_PASSWORD_ITERATIONS',
    owner: 'library',
    kind: 'integer',
    min: 1,
    default: DEFAULT_PBKDF2_ITERATIONS,
    doc: "PBKDF2 iterations for new `pbkdf2_sha256`/`pbkdf2_sha1` hashes (Django 5.2's default); set it to the sharing Django's own default (3.2: `260000`, 4.2: `600000`, 5.2: `1000000`). A successful login re-hashes a PBKDF2 password stored with a different count, as Django does.",
  },
  passwordConcurrency: {
    env: 'TESSERA_PASSWORD_CONCURRENCY',
    owner: 'library',
    kind: 'integer',
    min: 1,
    default: DEFAULT_HASH_CONCURRENCY,
    doc: 'Password hashes computed at once, on low-priority threads of their own, so logins cannot take the CPU from token-authenticated requests.',
  },
  passwordQueueLimit: {
    env: 'TESSERA_PASSWORD_QUEUE_LIMIT',
    owner: 'library',
    kind: 'integer',
    min: 0,
    default: DEFAULT_HASH_QUEUE_LIMIT,
    doc: 'Password hashes allowed to wait for one of those; beyond, obtain-token answers 503 a second later, without reading the body or the user (a flood resending at once cannot keep the event loop busy with refusals).',
  },
  loginFailuresPerUserIp: {
    env: 'TESSERA_LOGIN_FAILURES_PER_USER_IP',
    owner: 'library',
    kind: 'rate',
    default: DEFAULT_LOGIN_FAILURE_RATES.perUserAndAddress,
    doc: "Failed logins per (username, client IP); then 429 with `Retry-After`. A rate is DRF's `<count>/<s\\|m\\|h\\|d…>`; `off` switches a limit off.",
  },
  loginFailuresPerUser: {
    env: 'TESSERA_LOGIN_FAILURES_PER_USER',
    owner: 'library',
    kind: 'rate',
    default: DEFAULT_LOGIN_FAILURE_RATES.perUser,
    doc: 'Failed logins per username, from any IP the user has not logged in from successfully in the last 30 days (the 10 most recent such IPs are remembered per user, so a guess spread over many IPs does not lock the owner out of theirs).',
  },
  loginFailuresPerIp: {
    env: 'TESSERA_LOGIN_FAILURES_PER_IP',
    owner: 'library',
    kind: 'rate',
    default: DEFAULT_LOGIN_FAILURE_RATES.perAddress,
    doc: 'Failed logins per client IP, for any username.',
  },
  keyFailuresPerIp: {
    env: 'TESSERA_KEY_FAILURES_PER_IP',
    owner: 'library',
    kind: 'rate',
    default: DEFAULT_KEY_FAILURE_RATE,
    doc: 'Failed token authentications per client IP; then 429 before any database read.',
  },
  numProxies: {
    env: 'TESSERA_NUM_PROXIES',
    owner: 'library',
    kind: 'count',
    default: null,
    doc: "Reverse proxies in front of the server that append to `X-Forwarded-For` (DRF's `NUM_PROXIES`). Unset: the header is ignored (with one warning) and the peer address is the client. Set: the entry the proxies vouch for counts only when it is an IP literal (IPv6 with or without brackets, no port); otherwise the peer address does (with one warning).",
  },
  redisUrl: {
    env: 'REDIS_URL',
    owner: 'store',
    kind: 'url',
    default: null,
    doc: '`redis://host:6379`: carry token invalidations between nodes, and (the reference server) count the limits in Redis, shared by every node (needs `npm install ioredis`). Unset: each process counts in memory.',
  },
  tokenCacheSeconds: {
    env: 'TESSERA_TOKEN_CACHE_TTL',
    owner: 'library',
    kind: 'duration',
    default: 300,
    doc: 'A duration (`30s`, `5m`; like every duration, at most `18250d`), or `off`: keep verified tokens in memory this long, so a request reads nothing. On by default (5 minutes) wherever the store carries revocations from other processes (every store tessera opens, once `tessera migrate` made its triggers); off while it cannot. Revocations reach it as described in [Many nodes](many-nodes.md).',
  },
  tokenCacheMaxEntries: {
    env: 'TESSERA_TOKEN_CACHE_MAX_ENTRIES',
    owner: 'library',
    kind: 'integer',
    min: 1,
    default: 10_000,
    doc: 'Most tokens the cache holds (least recently used go first).',
  },
  tokenCacheMaxBytes: {
    env: 'TESSERA_TOKEN_CACHE_MAX_BYTES',
    owner: 'library',
    kind: 'integer',
    min: 1024,
    default: 32 * 1024 * 1024,
    doc: 'Most memory (estimated) the cache holds.',
  },
  tokenCacheDuringOutage: {
    env: 'TESSERA_TOKEN_CACHE_DURING_OUTAGE',
    owner: 'library',
    kind: 'flag',
    default: false,
    doc: 'While the invalidation channel is down: `false` empties the cache and reads every token from the database until it is back; `true` keeps serving cached tokens until their TTL (so a database outage does not stop them).',
  },
  loginTokenLimit: {
    env: 'TESSERA_LOGIN_TOKEN_LIMIT',
    owner: 'library',
    kind: 'integer',
    min: 1,
    default: 10,
    doc: 'Most `login` tokens (from obtain-token) a user keeps.',
  },
  loginTokenLifetimeSeconds: {
    env: 'TESSERA_LOGIN_TOKEN_LIFETIME',
    owner: 'library',
    kind: 'duration',
    default: null,
    doc: 'Lifetime of login tokens, as a duration (`12h`, `30d`, at most `18250d`). Unset (DRF parity): they never expire and obtain-token answers `{"token": …}` only; set: the answer adds `"expires"`.',
  },
  trackLastUsed: {
    env: 'TESSERA_TRACK_LAST_USED',
    owner: 'library',
    kind: 'flag',
    default: true,
    doc: "Record each token's last use (at most once a minute, off the request's path).",
  },
  logLevel: {
    env: 'TESSERA_LOG_LEVEL',
    owner: 'server',
    kind: 'enum',
    values: LOG_LEVELS,
    default: 'info',
    doc: "The server's log level (`debug` also logs every `authenticated` event).",
  },
  accessLog: {
    env: 'TESSERA_ACCESS_LOG',
    owner: 'server',
    kind: 'flag',
    default: false,
    doc: "One `info` line per request (method, path without its query, status, milliseconds; never a header or a body). Off by default, as gunicorn's access log: the line costs about a quarter of a cached request's throughput (see [Performance](performance.md)).",
  },
  keywords: {
    env: 'TESSERA_KEYWORDS',
    owner: 'library',
    kind: 'keywords',
    default: DEFAULT_KEYWORDS,
    doc: 'Accepted `Authorization` schemes, comma-separated, matched case-insensitively; the first is sent in `WWW-Authenticate`. `Token,Bearer` also accepts `Bearer` (which changes DRF\'s answer to `Bearer <key>` from "anonymous" to a token check).',
  },
  legacyKeys: {
    env: 'TESSERA_LEGACY_KEYS',
    owner: 'library',
    kind: 'flag',
    default: true,
    doc: "Accept DRF's keys (40 lowercase hex characters, as `tessera tokens import-drf` stores them) beside `tsr_` keys; off refuses them without a read, as any malformed key (see [Keys](keys.md#drfs-40-hex-keys)).",
  },
  drfTokens: {
    env: 'TESSERA_DRF_TOKENS',
    owner: 'library',
    kind: 'enum',
    values: ['off', 'read'],
    default: 'off',
    doc: "`read`: a DRF key tessera does not hold is looked up in Django's `authtoken_token` as it is now (read-only, never cached: each such request also reads that table); a migration aid, needs `TESSERA_LEGACY_KEYS` and the table (`tessera serve` will not start without it). See [Keys](keys.md#live-mode-tessera_drf_tokensread).",
  },
  host: {
    env: 'HOST',
    owner: 'server',
    kind: 'text',
    default: '127.0.0.1',
    doc: 'Address the server listens on (`--host` wins).',
  },
  port: {
    env: 'PORT',
    owner: 'server',
    kind: 'integer',
    min: 0,
    default: 8000,
    doc: 'Port the server listens on (`--port` wins).',
  },
  maxBodyBytes: {
    env: 'TESSERA_MAX_BODY_BYTES',
    owner: 'library',
    kind: 'integer',
    min: 1,
    default: 1024 * 1024,
    doc: "Largest request body a view reads; larger gets 413. Every adapter reads it from the tessera it mounts, so it is `createTessera`'s.",
  },
  maxHeaderBytes: {
    env: 'TESSERA_MAX_HEADER_BYTES',
    owner: 'server',
    kind: 'integer',
    min: 1024,
    default: 16 * 1024,
    doc: 'Largest request head; Node answers 431 beyond it.',
  },
  headersTimeoutMs: {
    env: 'TESSERA_HEADERS_TIMEOUT_MS',
    owner: 'server',
    kind: 'integer',
    min: 1,
    default: 10_000,
    doc: 'Longest a client may take to send the request head; then 408 (see [Timeouts](reference-server.md#timeouts)).',
  },
  requestTimeoutMs: {
    env: 'TESSERA_REQUEST_TIMEOUT_MS',
    owner: 'server',
    kind: 'integer',
    min: 1,
    default: 30_000,
    doc: "Longest a client may take to send the whole request, head and body; then 408. At least the head's bound.",
  },
  idleTimeoutMs: {
    env: 'TESSERA_IDLE_TIMEOUT_MS',
    owner: 'server',
    kind: 'integer',
    min: 1,
    default: 20_000,
    doc: 'Longest a connection may pass no byte either way; then it is closed.',
  },
  keepAliveTimeoutMs: {
    env: 'TESSERA_KEEP_ALIVE_TIMEOUT_MS',
    owner: 'server',
    kind: 'integer',
    min: 1,
    default: 5000,
    doc: 'Longest a kept-alive connection waits for its next request.',
  },
  schema: {
    env: 'TESSERA_SCHEMA',
    owner: 'server',
    kind: 'flag',
    default: true,
    doc: 'Serve the OpenAPI document at `/api/schema/` and Swagger UI at `/api/docs/` (see [OpenAPI](openapi.md)); `off` removes both.',
  },
  admin: {
    env: 'TESSERA_ADMIN',
    owner: 'server',
    kind: 'flag',
    default: true,
    doc: 'Serve the admin page for staff at `/admin/` (see [Admin page](admin.md)); `off` removes it.',
  },
  secretKey: {
    env: 'TESSERA_SECRET_KEY',
    owner: 'server',
    kind: 'text',
    default: null,
    doc: "Signs the admin page's sessions and CSRF tokens. Unset: the key `tessera migrate` generated and stored in the database, shared by every worker and node.",
  },
  adminTrustedOrigins: {
    env: 'TESSERA_ADMIN_TRUSTED_ORIGINS',
    owner: 'server',
    kind: 'text',
    default: null,
    doc: "Comma-separated origins (`https://admin.example.com`) whose form posts the admin page accepts besides its own, for proxies that change the host (Django's `CSRF_TRUSTED_ORIGINS`).",
  },
  workers: {
    env: 'TESSERA_WORKERS',
    owner: 'server',
    kind: 'text',
    default: '1',
    doc: "Processes `tessera serve` runs on one port, like `gunicorn -w` (`--workers` wins); `auto` runs one per CPU. Without Redis the workers' failure limits are counted in the primary process, so a limit means the same with 1 worker or 16 (see [Reference server](reference-server.md#workers)).",
  },
};
