import { parseRate } from '../throttling/rate.js';
import { readDuration } from '../time/duration.js';
import {
  SETTING_DEFINITIONS,
  type SettingDefinition,
  type SettingKey,
  type SettingOwner,
} from './setting-definitions.js';
import type { SettingsByOwner, TesseraSettings } from './settings.js';
import { SettingsError } from './settings-error.js';

export { SettingsError } from './settings-error.js';

// Not NodeJS.ProcessEnv: the declarations then need no @types/node (process.env still fits).
type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new SettingsError(
      `${name} must be an integer of at least ${min}, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

function duration(env: Env, name: string, fallback: number | null): number | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (['off', 'none'].includes(raw.toLowerCase())) return null;
  // Bounded as every duration is (18250d), so no setting can make a date no store holds.
  const read = readDuration(raw);
  if ('error' in read) {
    throw new SettingsError(`${name}: ${read.error} Got ${JSON.stringify(raw)}`);
  }
  return read.seconds;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new SettingsError(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

function count(env: Env, name: string, fallback: number | null): number | null {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'none') return null;
  return integer(env, name, 0, 0);
}

// A throttle rate (`5/min`), or `off`/`none` to switch the limit off explicitly.
function rate(env: Env, name: string, fallback: string | null): string | null {
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

function oneOf(env: Env, name: string, fallback: string, values: readonly string[]): string {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (!values.includes(raw)) {
    throw new SettingsError(
      `${name} must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

function keywords(env: Env, name: string, fallback: readonly string[]): readonly string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const list = raw.split(',').map((word) => word.trim());
  for (const word of list) {
    // An auth-scheme is an HTTP token; DRF compares it as ASCII bytes.
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(word)) {
      throw new SettingsError(
        `${name} must be comma-separated words such as "Token,Bearer", got ${JSON.stringify(raw)}`,
      );
    }
  }
  return list;
}

/** One setting's value from its variable, by its row's kind; the default when unset. */
function readSetting(env: Env, definition: SettingDefinition): unknown {
  const { env: name } = definition;
  switch (definition.kind) {
    case 'integer':
      return integer(env, name, definition.default as number, definition.min);
    case 'count':
      return count(env, name, definition.default as number | null);
    case 'duration':
      return duration(env, name, definition.default as number | null);
    case 'flag':
      return flag(env, name, definition.default as boolean);
    case 'rate':
      return rate(env, name, definition.default as string | null);
    case 'enum':
      return oneOf(env, name, definition.default as string, definition.values);
    case 'keywords':
      return keywords(env, name, definition.default as readonly string[]);
    case 'url':
    case 'text':
      return env[name]?.trim() || definition.default;
  }
}

function readOwner<Owner extends SettingOwner>(env: Env, owner: Owner): SettingsByOwner[Owner] {
  const settings: Record<string, unknown> = {};
  for (const [key, definition] of Object.entries(SETTING_DEFINITIONS) as [
    SettingKey,
    SettingDefinition,
  ][]) {
    if (definition.owner === owner) settings[key] = readSetting(env, definition);
  }
  if (owner === 'server') checkServerTimeouts(settings as unknown as SettingsByOwner['server']);
  return settings as unknown as SettingsByOwner[Owner];
}

// Node refuses a head bound longer than the whole request's, so the pair is checked here.
function checkServerTimeouts({ headersTimeoutMs, requestTimeoutMs }: SettingsByOwner['server']) {
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new SettingsError(
      `${SETTING_DEFINITIONS.headersTimeoutMs.env} (${headersTimeoutMs}) must not exceed ${SETTING_DEFINITIONS.requestTimeoutMs.env} (${requestTimeoutMs})`,
    );
  }
}

/**
 * Reads what `createTessera` takes from `TESSERA_PASSWORD_*`, `TESSERA_LOGIN_*`,
 * `TESSERA_KEY_FAILURES_PER_IP`, `TESSERA_NUM_PROXIES`, `TESSERA_TOKEN_CACHE_*`,
 * `TESSERA_TRACK_LAST_USED`, `TESSERA_KEYWORDS` and `TESSERA_MAX_BODY_BYTES` (docs/settings.md).
 * Throws `SettingsError` on a bad value.
 * @example
 * const tessera = createTessera({ store, settings: librarySettingsFromEnv() });
 */
export function librarySettingsFromEnv(env: Env = process.env): SettingsByOwner['library'] {
  return readOwner(env, 'library');
}

/**
 * Reads what `openStore` takes from `DATABASE_URL`, `TESSERA_DB_*` and `REDIS_URL`.
 * Throws `SettingsError` on a bad value.
 * @example
 * const settings = storeSettingsFromEnv();
 * const store = await openStore(settings.databaseUrl, settings);
 */
export function storeSettingsFromEnv(env: Env = process.env): SettingsByOwner['store'] {
  return readOwner(env, 'store');
}

/**
 * Reads what the reference server takes from `HOST`, `PORT`, `TESSERA_LOG_LEVEL`,
 * `TESSERA_MAX_HEADER_BYTES` and `TESSERA_*_TIMEOUT_MS`. Throws `SettingsError` on a bad value.
 */
export function serverSettingsFromEnv(env: Env = process.env): SettingsByOwner['server'] {
  return readOwner(env, 'server');
}

/**
 * Reads every setting from its environment variable, as the CLI and the server do (the table
 * in docs/settings.md, generated from `SETTING_DEFINITIONS`). Throws `SettingsError` on a bad
 * value. Hand each owner its part with `settingsOwnedBy`.
 */
export function settingsFromEnv(env: Env = process.env): TesseraSettings {
  return {
    ...storeSettingsFromEnv(env),
    ...librarySettingsFromEnv(env),
    ...serverSettingsFromEnv(env),
  };
}
