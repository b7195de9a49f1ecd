import { parseRate } from '../throttling/rate.js';
import { readDuration } from '../time/duration.js';
import { DEFAULT_SETTINGS, type TesseraSettings } from './settings.js';

/** A setting's value cannot be used; the message names the variable and the value. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new SettingsError(
      `${name} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

function duration(env: NodeJS.ProcessEnv, name: string): number | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '' || raw === 'none') return null;
  // Bounded as every duration is (18250d), so no setting can make a date no store holds.
  const read = readDuration(raw);
  if ('error' in read) {
    throw new SettingsError(`${name}: ${read.error} Got ${JSON.stringify(raw)}`);
  }
  return read.seconds;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new SettingsError(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

function count(env: NodeJS.ProcessEnv, name: string, fallback: number | null): number | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'none') return null;
  return integer(env, name, 0, 0);
}

// A throttle rate (`5/min`), or `off`/`none` to switch the limit off explicitly.
function rate(env: NodeJS.ProcessEnv, name: string, fallback: string | null): string | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (['off', 'none'].includes(raw.toLowerCase())) return null;
  try {
    parseRate(raw);
  } catch {
    throw new SettingsError(
      `${name} must be a rate such as "5/min" (a count, "/", then s, m, h or d) or "off", got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: NodeJS.ProcessEnv): string {
  const raw = env.TESSERA_LOG_LEVEL?.trim().toLowerCase();
  if (raw === undefined || raw === '') return DEFAULT_SETTINGS.logLevel;
  if (!LOG_LEVELS.includes(raw)) {
    throw new SettingsError(
      `TESSERA_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

function keywords(env: NodeJS.ProcessEnv): readonly string[] {
  const raw = env.TESSERA_KEYWORDS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_SETTINGS.keywords;
  const list = raw.split(',').map((word) => word.trim());
  for (const word of list) {
    // An auth-scheme is an HTTP token; DRF compares it as ASCII bytes.
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(word)) {
      throw new SettingsError(
        `TESSERA_KEYWORDS must be comma-separated words such as "Token,Bearer", got ${JSON.stringify(raw)}`,
      );
    }
  }
  return list;
}

/**
 * Reads settings from environment variables: `DATABASE_URL`, `TESSERA_DB_POOL_SIZE`,
 * `TESSERA_DB_CONNECT_TIMEOUT_MS`, `TESSERA_DB_STATEMENT_TIMEOUT_MS`,
 * `TESSERA_PASSWORD_ITERATIONS`, `TESSERA_PASSWORD_CONCURRENCY`, `TESSERA_LOGIN_TOKEN_LIMIT`,
 * `TESSERA_KEYWORDS`, `HOST`, `PORT`, `TESSERA_MAX_BODY_BYTES`, `TESSERA_MAX_HEADER_BYTES`,
 * `TESSERA_PASSWORD_QUEUE_LIMIT`, `TESSERA_LOGIN_FAILURES_PER_USER_IP`,
 * `TESSERA_LOGIN_FAILURES_PER_USER`, `TESSERA_LOGIN_FAILURES_PER_IP`,
 * `TESSERA_KEY_FAILURES_PER_IP`, `TESSERA_NUM_PROXIES`, `REDIS_URL`, `TESSERA_HEADERS_TIMEOUT_MS`,
 * `TESSERA_REQUEST_TIMEOUT_MS`, `TESSERA_IDLE_TIMEOUT_MS`, `TESSERA_KEEP_ALIVE_TIMEOUT_MS`.
 * Throws `SettingsError` on a bad value.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): TesseraSettings {
  return {
    databaseUrl: env.DATABASE_URL?.trim() || DEFAULT_SETTINGS.databaseUrl,
    dbPoolSize: integer(env, 'TESSERA_DB_POOL_SIZE', DEFAULT_SETTINGS.dbPoolSize, 1),
    dbConnectTimeoutMs: integer(
      env,
      'TESSERA_DB_CONNECT_TIMEOUT_MS',
      DEFAULT_SETTINGS.dbConnectTimeoutMs,
      1,
    ),
    dbStatementTimeoutMs: integer(
      env,
      'TESSERA_DB_STATEMENT_TIMEOUT_MS',
      DEFAULT_SETTINGS.dbStatementTimeoutMs,
      1,
    ),
    passwordIterations: integer(
      env,
      'TESSERA_PASSWORD_ITERATIONS',
      DEFAULT_SETTINGS.passwordIterations,
      1,
    ),
    passwordConcurrency: integer(
      env,
      'TESSERA_PASSWORD_CONCURRENCY',
      DEFAULT_SETTINGS.passwordConcurrency,
      1,
    ),
    passwordQueueLimit: integer(
      env,
      'TESSERA_PASSWORD_QUEUE_LIMIT',
      DEFAULT_SETTINGS.passwordQueueLimit,
      0,
    ),
    loginFailuresPerUserIp: rate(
      env,
      'TESSERA_LOGIN_FAILURES_PER_USER_IP',
      DEFAULT_SETTINGS.loginFailuresPerUserIp,
    ),
    loginFailuresPerUser: rate(
      env,
      'TESSERA_LOGIN_FAILURES_PER_USER',
      DEFAULT_SETTINGS.loginFailuresPerUser,
    ),
    loginFailuresPerIp: rate(
      env,
      'TESSERA_LOGIN_FAILURES_PER_IP',
      DEFAULT_SETTINGS.loginFailuresPerIp,
    ),
    keyFailuresPerIp: rate(env, 'TESSERA_KEY_FAILURES_PER_IP', DEFAULT_SETTINGS.keyFailuresPerIp),
    numProxies: count(env, 'TESSERA_NUM_PROXIES', DEFAULT_SETTINGS.numProxies),
    redisUrl: env.REDIS_URL?.trim() || DEFAULT_SETTINGS.redisUrl,
    loginTokenLimit: integer(env, 'TESSERA_LOGIN_TOKEN_LIMIT', DEFAULT_SETTINGS.loginTokenLimit, 1),
    loginTokenLifetimeSeconds: duration(env, 'TESSERA_LOGIN_TOKEN_LIFETIME'),
    trackLastUsed: flag(env, 'TESSERA_TRACK_LAST_USED', DEFAULT_SETTINGS.trackLastUsed),
    tokenCacheSeconds: duration(env, 'TESSERA_TOKEN_CACHE_TTL'),
    tokenCacheMaxEntries: integer(
      env,
      'TESSERA_TOKEN_CACHE_MAX_ENTRIES',
      DEFAULT_SETTINGS.tokenCacheMaxEntries,
      1,
    ),
    tokenCacheMaxBytes: integer(
      env,
      'TESSERA_TOKEN_CACHE_MAX_BYTES',
      DEFAULT_SETTINGS.tokenCacheMaxBytes,
      1024,
    ),
    tokenCacheDuringOutage: flag(
      env,
      'TESSERA_TOKEN_CACHE_DURING_OUTAGE',
      DEFAULT_SETTINGS.tokenCacheDuringOutage,
    ),
    logLevel: logLevel(env),
    keywords: keywords(env),
    host: env.HOST?.trim() || DEFAULT_SETTINGS.host,
    port: integer(env, 'PORT', DEFAULT_SETTINGS.port, 0),
    maxBodyBytes: integer(env, 'TESSERA_MAX_BODY_BYTES', DEFAULT_SETTINGS.maxBodyBytes, 1),
    maxHeaderBytes: integer(env, 'TESSERA_MAX_HEADER_BYTES', DEFAULT_SETTINGS.maxHeaderBytes, 1024),
    ...serverTimeouts(env),
  };
}

// Node refuses a head bound longer than the whole request's, so the pair is checked here.
function serverTimeouts(env: NodeJS.ProcessEnv) {
  const timeouts = {
    headersTimeoutMs: integer(
      env,
      'TESSERA_HEADERS_TIMEOUT_MS',
      DEFAULT_SETTINGS.headersTimeoutMs,
      1,
    ),
    requestTimeoutMs: integer(
      env,
      'TESSERA_REQUEST_TIMEOUT_MS',
      DEFAULT_SETTINGS.requestTimeoutMs,
      1,
    ),
    idleTimeoutMs: integer(env, 'TESSERA_IDLE_TIMEOUT_MS', DEFAULT_SETTINGS.idleTimeoutMs, 1),
    keepAliveTimeoutMs: integer(
      env,
      'TESSERA_KEEP_ALIVE_TIMEOUT_MS',
      DEFAULT_SETTINGS.keepAliveTimeoutMs,
      1,
    ),
  };
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) {
    throw new SettingsError(
      `TESSERA_HEADERS_TIMEOUT_MS (${timeouts.headersTimeoutMs}) must not exceed TESSERA_REQUEST_TIMEOUT_MS (${timeouts.requestTimeoutMs})`,
    );
  }
  return timeouts;
}
