import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SettingsError, settingsFromEnv } from '../../../src/core/config/settings-from-env.js';

// Each variable kind's refusal, word for word: scripts and operators match on these messages.
const REFUSED: readonly (readonly [Record<string, string>, string])[] = [
  [
    { TESSERA_DB_POOL_SIZE: ' 0 ' },
    'TESSERA_DB_POOL_SIZE must be an integer of at least 1, got " 0 "',
  ],
  [{ PORT: '-1' }, 'PORT must be an integer of at least 0, got "-1"'],
  [
    { PORT: '99999999999999999999' },
    'PORT must be an integer of at least 0, got "99999999999999999999"',
  ],
  [
    { TESSERA_MAX_HEADER_BYTES: '1023' },
    'TESSERA_MAX_HEADER_BYTES must be an integer of at least 1024, got "1023"',
  ],
  [
    { TESSERA_TOKEN_CACHE_TTL: '5 parsecs' },
    'TESSERA_TOKEN_CACHE_TTL: Enter a duration: a whole number and one unit of s, m, h, d or w, such as 30d. Got "5 parsecs"',
  ],
  [
    { TESSERA_LOGIN_TOKEN_LIFETIME: '99999d' },
    'TESSERA_LOGIN_TOKEN_LIFETIME: Ensure this value is less than or equal to 18250d (50 years). Got "99999d"',
  ],
  [
    { TESSERA_TRACK_LAST_USED: ' Maybe ' },
    'TESSERA_TRACK_LAST_USED must be true or false, got " Maybe "',
  ],
  [
    { TESSERA_TOKEN_CACHE_DURING_OUTAGE: 'x' },
    'TESSERA_TOKEN_CACHE_DURING_OUTAGE must be true or false, got "x"',
  ],
  [
    { TESSERA_NUM_PROXIES: 'two' },
    'TESSERA_NUM_PROXIES must be an integer of at least 0, got "two"',
  ],
  [{ TESSERA_NUM_PROXIES: '-1' }, 'TESSERA_NUM_PROXIES must be an integer of at least 0, got "-1"'],
  [
    { TESSERA_LOGIN_FAILURES_PER_IP: '5 per min' },
    'TESSERA_LOGIN_FAILURES_PER_IP must be a rate such as "5/min" (a count, "/", then s, m, h or d) or "off", got "5 per min"',
  ],
  [
    { TESSERA_LOG_LEVEL: ' LOUD ' },
    'TESSERA_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
  ],
  [
    { TESSERA_KEYWORDS: 'Token, Bad Word' },
    'TESSERA_KEYWORDS must be comma-separated words such as "Token,Bearer", got "Token, Bad Word"',
  ],
  [
    { TESSERA_KEYWORDS: 'Token,' },
    'TESSERA_KEYWORDS must be comma-separated words such as "Token,Bearer", got "Token,"',
  ],
  [
    { TESSERA_HEADERS_TIMEOUT_MS: '40000' },
    'TESSERA_HEADERS_TIMEOUT_MS (40000) must not exceed TESSERA_REQUEST_TIMEOUT_MS (30000)',
  ],
  [
    { TESSERA_TOKEN_CACHE_MAX_BYTES: '1000' },
    'TESSERA_TOKEN_CACHE_MAX_BYTES must be an integer of at least 1024, got "1000"',
  ],
];

test('every kind of setting refuses a bad value with the same message as before', () => {
  for (const [env, message] of REFUSED) {
    assert.throws(
      () => settingsFromEnv(env),
      (error: unknown) => error instanceof SettingsError && error.message === message,
      JSON.stringify(env),
    );
  }
});

// Trimming, case and the words that switch a setting off, read as before.
const READ: readonly (readonly [Record<string, string>, Record<string, unknown>])[] = [
  [
    {},
    {
      databaseUrl: 'sqlite:./tessera.sqlite3',
      dbPoolSize: 10,
      dbConnectTimeoutMs: 5000,
      dbStatementTimeoutMs: 10000,
      passwordIterations: 1000000,
      passwordConcurrency: 2,
      passwordQueueLimit: 16,
      loginFailuresPerUserIp: '5/min',
      loginFailuresPerUser: '20/min',
      loginFailuresPerIp: '30/min',
      keyFailuresPerIp: '60/min',
      numProxies: null,
      redisUrl: null,
      loginTokenLimit: 10,
      loginTokenLifetimeSeconds: null,
      trackLastUsed: true,
      tokenCacheSeconds: 300,
      tokenCacheMaxEntries: 10000,
      tokenCacheMaxBytes: 33554432,
      tokenCacheDuringOutage: false,
      logLevel: 'info',
      keywords: ['Token'],
      host: '127.0.0.1',
      port: 8000,
      maxBodyBytes: 1048576,
      maxHeaderBytes: 16384,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      idleTimeoutMs: 20000,
      keepAliveTimeoutMs: 5000,
    },
  ],
  [
    {
      TESSERA_KEYWORDS: ' Token , Bearer ',
      TESSERA_LOG_LEVEL: ' DEBUG ',
      HOST: ' ::1 ',
      PORT: '0',
      TESSERA_NUM_PROXIES: 'none',
      TESSERA_TOKEN_CACHE_TTL: '5m',
      TESSERA_LOGIN_TOKEN_LIFETIME: 'none',
      TESSERA_TRACK_LAST_USED: 'OFF',
      TESSERA_LOGIN_FAILURES_PER_USER: 'Off',
      REDIS_URL: ' redis://x ',
      DATABASE_URL: ' ',
      TESSERA_NUM_PROXIES2: '',
    },
    {
      databaseUrl: 'sqlite:./tessera.sqlite3',
      dbPoolSize: 10,
      dbConnectTimeoutMs: 5000,
      dbStatementTimeoutMs: 10000,
      passwordIterations: 1000000,
      passwordConcurrency: 2,
      passwordQueueLimit: 16,
      loginFailuresPerUserIp: '5/min',
      loginFailuresPerUser: null,
      loginFailuresPerIp: '30/min',
      keyFailuresPerIp: '60/min',
      numProxies: null,
      redisUrl: 'redis://x',
      loginTokenLimit: 10,
      loginTokenLifetimeSeconds: null,
      trackLastUsed: false,
      tokenCacheSeconds: 300,
      tokenCacheMaxEntries: 10000,
      tokenCacheMaxBytes: 33554432,
      tokenCacheDuringOutage: false,
      logLevel: 'debug',
      keywords: ['Token', 'Bearer'],
      host: '::1',
      port: 0,
      maxBodyBytes: 1048576,
      maxHeaderBytes: 16384,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      idleTimeoutMs: 20000,
      keepAliveTimeoutMs: 5000,
    },
  ],
  [
    {
      TESSERA_NUM_PROXIES: ' 2 ',
      TESSERA_TOKEN_CACHE_TTL: ' OFF ',
      TESSERA_TOKEN_CACHE_DURING_OUTAGE: 'yes',
      TESSERA_LOGIN_FAILURES_PER_IP: '3/h',
    },
    {
      databaseUrl: 'sqlite:./tessera.sqlite3',
      dbPoolSize: 10,
      dbConnectTimeoutMs: 5000,
      dbStatementTimeoutMs: 10000,
      passwordIterations: 1000000,
      passwordConcurrency: 2,
      passwordQueueLimit: 16,
      loginFailuresPerUserIp: '5/min',
      loginFailuresPerUser: '20/min',
      loginFailuresPerIp: '3/h',
      keyFailuresPerIp: '60/min',
      numProxies: 2,
      redisUrl: null,
      loginTokenLimit: 10,
      loginTokenLifetimeSeconds: null,
      trackLastUsed: true,
      tokenCacheSeconds: null,
      tokenCacheMaxEntries: 10000,
      tokenCacheMaxBytes: 33554432,
      tokenCacheDuringOutage: true,
      logLevel: 'info',
      keywords: ['Token'],
      host: '127.0.0.1',
      port: 8000,
      maxBodyBytes: 1048576,
      maxHeaderBytes: 16384,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      idleTimeoutMs: 20000,
      keepAliveTimeoutMs: 5000,
    },
  ],
];

test('values are read (trimmed, case-folded, switched off) as before', () => {
  for (const [env, settings] of READ) {
    // Settings added since are left out: these are the ones whose reading must not change.
    const read: Record<string, unknown> = { ...settingsFromEnv(env) };
    const same = Object.fromEntries(Object.keys(settings).map((key) => [key, read[key]]));
    assert.deepEqual(same, settings, JSON.stringify(env));
  }
});
