import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../../src/core/config/settings.js';
import { SettingsError, settingsFromEnv } from '../../../src/core/config/settings-from-env.js';

test('database pool settings have finite defaults', () => {
  const settings = settingsFromEnv({});
  assert.equal(settings.dbPoolSize, 10);
  assert.equal(settings.dbConnectTimeoutMs, 5000);
  assert.equal(settings.dbStatementTimeoutMs, 10_000);
  assert.equal(DEFAULT_SETTINGS.dbConnectTimeoutMs, 5000);
});

test('database pool settings are read from TESSERA_DB_*', () => {
  const settings = settingsFromEnv({
    TESSERA_DB_POOL_SIZE: '3',
    TESSERA_DB_CONNECT_TIMEOUT_MS: '250',
    TESSERA_DB_STATEMENT_TIMEOUT_MS: '1500',
  });
  assert.equal(settings.dbPoolSize, 3);
  assert.equal(settings.dbConnectTimeoutMs, 250);
  assert.equal(settings.dbStatementTimeoutMs, 1500);
});

test('zero (which both drivers read as "no limit") and non-integers are refused', () => {
  for (const name of [
    'TESSERA_DB_POOL_SIZE',
    'TESSERA_DB_CONNECT_TIMEOUT_MS',
    'TESSERA_DB_STATEMENT_TIMEOUT_MS',
  ]) {
    for (const value of ['0', '1.5', 'soon']) {
      assert.throws(
        () => settingsFromEnv({ [name]: value }),
        (error: unknown) =>
          error instanceof SettingsError &&
          error.message ===
            `${name} must be an integer of at least 1, got ${JSON.stringify(value)}`,
      );
    }
  }
});
