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
 * Reads settings from environment variables: `DATABASE_URL`, `TESSERA_PASSWORD_ITERATIONS`,
 * `TESSERA_PASSWORD_CONCURRENCY`, `TESSERA_LOGIN_TOKEN_LIMIT`, `TESSERA_KEYWORDS`, `HOST`, `PORT`,
 * `TESSERA_MAX_BODY_BYTES`, `TESSERA_MAX_HEADER_BYTES`. Throws `SettingsError` on a bad value.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): TesseraSettings {
  return {
    databaseUrl: env.DATABASE_URL?.trim() || DEFAULT_SETTINGS.databaseUrl,
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
    loginTokenLimit: integer(env, 'TESSERA_LOGIN_TOKEN_LIMIT', DEFAULT_SETTINGS.loginTokenLimit, 1),
    keywords: keywords(env),
    host: env.HOST?.trim() || DEFAULT_SETTINGS.host,
    port: integer(env, 'PORT', DEFAULT_SETTINGS.port, 0),
    maxBodyBytes: integer(env, 'TESSERA_MAX_BODY_BYTES', DEFAULT_SETTINGS.maxBodyBytes, 1),
    maxHeaderBytes: integer(env, 'TESSERA_MAX_HEADER_BYTES', DEFAULT_SETTINGS.maxHeaderBytes, 1024),
  };
}
