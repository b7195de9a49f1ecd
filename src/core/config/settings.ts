import type { WritableHasher } from '../passwords/django-hasher-names.js';
import { SETTING_DEFINITIONS, type SettingKey, type SettingOwner } from './setting-definitions.js';
import { SettingsError } from './settings-error.js';

/** What `createTessera` reads: authentication, passwords, limits, the token cache, body size. */
export interface LibrarySettings {
  /** The Django hasher new password hashes are written with; `pbkdf2_sha256` by default. */
  readonly passwordHasher: WritableHasher;
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
  /** Accepted `Authorization` schemes; the first is sent in `WWW-Authenticate`. */
  readonly keywords: readonly string[];
  /** Accept DRF's 40-hex keys beside `tsr_` keys (looked up by digest); default true. */
  readonly legacyKeys: boolean;
  /**
   * `read`: a DRF key tessera does not hold is looked up live in Django's `authtoken_token`
   * (never cached, never written); `off` (the default) does not read that table.
   */
  readonly drfTokens: 'off' | 'read';
  /**
   * Largest request body a view reads, in bytes; a larger one gets 413. A library setting, not a
   * server one: every adapter that mounts tessera's views (Fastify, Express, Hono, NestJS,
   * node:http) reads it from the tessera it is given, and so does the reference server.
   */
  readonly maxBodyBytes: number;
}

/** What `openStore` reads: which database, how its pool waits, and the Redis between nodes. */
export interface StoreSettings {
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
  /**
   * Redis carrying token invalidations between nodes; null for none. The reference server also
   * keeps its throttle counts there, shared by every node.
   */
  readonly redisUrl: string | null;
}

/** What the reference server (`tessera serve`, `serve`, `buildServer`) reads. */
export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  /** The server's log level: `fatal`, `error`, `warn`, `info` (default) or `debug`. */
  readonly logLevel: string;
  /** One `info` line per request (method, path, status, time); default off, as gunicorn's. */
  readonly accessLog: boolean;
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
  /** Serve the OpenAPI document at `/api/schema/` and Swagger UI at `/api/docs/`. */
  readonly schema: boolean;
  /** `tessera serve`'s processes on one port: a whole number, or `auto` for one per CPU. */
  readonly workers: string;
  /** Serve the admin page at `/admin/`. */
  readonly admin: boolean;
  /** Signs admin sessions and CSRF tokens; null: the key stored by `migrate`. */
  readonly secretKey: string | null;
  /** Comma-separated origins the admin page accepts posts from besides its own. */
  readonly adminTrustedOrigins: string | null;
}

/**
 * Every setting of tessera, as the CLI and the reference server read them from `TESSERA_*` and
 * friends; hand each owner its part with `settingsOwnedBy`.
 */
export interface TesseraSettings extends LibrarySettings, StoreSettings, ServerSettings {}

/** The settings one owner reads, by owner's name. */
export interface SettingsByOwner {
  readonly library: LibrarySettings;
  readonly store: StoreSettings;
  readonly server: ServerSettings;
}

/** The defaults, used for every setting not given; taken from the settings table. */
export const DEFAULT_SETTINGS: TesseraSettings = Object.freeze(
  Object.fromEntries(
    Object.entries(SETTING_DEFINITIONS).map(([key, definition]) => [key, definition.default]),
  ) as unknown as TesseraSettings,
);

/**
 * Every failure limit switched off, for fixtures that must never see a 429 (parity, fuzz and
 * benchmark servers): `{ ...DEFAULT_SETTINGS, ...THROTTLING_OFF }`.
 */
export const THROTTLING_OFF = {
  loginFailuresPerUserIp: null,
  loginFailuresPerUser: null,
  loginFailuresPerIp: null,
  keyFailuresPerIp: null,
} as const satisfies Partial<LibrarySettings>;

/**
 * The part of `settings` one owner reads, e.g. what to give `createTessera` out of what
 * `settingsFromEnv()` read.
 * @example
 * const settings = settingsFromEnv();
 * const store = await openStore(settings.databaseUrl, settingsOwnedBy('store', settings));
 * const tessera = createTessera({ store, settings: settingsOwnedBy('library', settings) });
 */
export function settingsOwnedBy<Owner extends SettingOwner>(
  owner: Owner,
  settings: TesseraSettings,
): SettingsByOwner[Owner];
/** The part of partial `settings` one owner reads. */
export function settingsOwnedBy<Owner extends SettingOwner>(
  owner: Owner,
  settings: Partial<TesseraSettings>,
): Partial<SettingsByOwner[Owner]>;
export function settingsOwnedBy(
  owner: SettingOwner,
  settings: Partial<TesseraSettings>,
): Partial<TesseraSettings> {
  return Object.fromEntries(
    Object.entries(settings).filter(([key]) => ownerOf(key) === owner),
  ) as Partial<TesseraSettings>;
}

// What a caller is told to do with a setting given to the wrong owner.
const WHERE_IT_GOES: Readonly<Record<SettingOwner, string>> = {
  library: 'pass it to createTessera',
  store: 'pass it to openStore',
  server: 'pass it to serve or buildServer (TESSERA_* for tessera serve)',
};

function ownerOf(key: string): SettingOwner | undefined {
  return Object.hasOwn(SETTING_DEFINITIONS, key)
    ? SETTING_DEFINITIONS[key as SettingKey].owner
    : undefined;
}

/**
 * `given` filled in from the defaults, after refusing (with a `SettingsError` naming the key and
 * where it belongs) any key another owner reads or no setting has: a setting silently ignored
 * would look applied. A key set to `undefined` takes its default.
 */
export function resolveSettings<Owner extends SettingOwner>(
  owner: Owner,
  given: object | undefined,
  receiver: string,
): SettingsByOwner[Owner] {
  const resolved: Record<string, unknown> = {
    ...settingsOwnedBy<SettingOwner>(owner, DEFAULT_SETTINGS),
  };
  for (const [key, value] of Object.entries(given ?? {})) {
    const belongsTo = ownerOf(key);
    if (belongsTo === undefined) {
      throw new SettingsError(
        `${key} is not a tessera setting; ${receiver} takes ${Object.keys(resolved).join(', ')}`,
      );
    }
    if (belongsTo !== owner) {
      throw new SettingsError(`${key} is a ${belongsTo} setting: ${WHERE_IT_GOES[belongsTo]}`);
    }
    if (value !== undefined) resolved[key] = value;
  }
  return resolved as unknown as SettingsByOwner[Owner];
}
