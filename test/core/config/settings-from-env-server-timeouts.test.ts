import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SettingsError, settingsFromEnv } from '../../../src/core/config/settings-from-env.js';

const NAMES = [
  'TESSERA_HEADERS_TIMEOUT_MS',
  'TESSERA_REQUEST_TIMEOUT_MS',
  'TESSERA_IDLE_TIMEOUT_MS',
  'TESSERA_KEEP_ALIVE_TIMEOUT_MS',
] as const;

test('server timeouts have finite defaults: head 10 s, request 30 s, idle 20 s, keep-alive 5 s', () => {
  const settings = settingsFromEnv({});
  assert.deepEqual(
    [
      settings.headersTimeoutMs,
      settings.requestTimeoutMs,
      settings.idleTimeoutMs,
      settings.keepAliveTimeoutMs,
    ],
    [10_000, 30_000, 20_000, 5000],
  );
});

test('server timeouts are read from TESSERA_*_TIMEOUT_MS', () => {
  const settings = settingsFromEnv({
    TESSERA_HEADERS_TIMEOUT_MS: '1000',
    TESSERA_REQUEST_TIMEOUT_MS: '2000',
    TESSERA_IDLE_TIMEOUT_MS: '3000',
    TESSERA_KEEP_ALIVE_TIMEOUT_MS: '4000',
  });
  assert.deepEqual(
    [
      settings.headersTimeoutMs,
      settings.requestTimeoutMs,
      settings.idleTimeoutMs,
      settings.keepAliveTimeoutMs,
    ],
    [1000, 2000, 3000, 4000],
  );
});

test('zero (which Node reads as "no limit") and non-integers are refused', () => {
  for (const name of NAMES) {
    for (const value of ['0', '-1', '1.5', 'soon']) {
      assert.throws(() => settingsFromEnv({ [name]: value }), SettingsError, `${name}=${value}`);
    }
  }
});

test('a head bound longer than the whole request bound is refused, naming both', () => {
  assert.throws(
    () =>
      settingsFromEnv({ TESSERA_HEADERS_TIMEOUT_MS: '5000', TESSERA_REQUEST_TIMEOUT_MS: '4000' }),
    {
      name: 'SettingsError',
      message:
        'TESSERA_HEADERS_TIMEOUT_MS (5000) must not exceed TESSERA_REQUEST_TIMEOUT_MS (4000)',
    },
  );
});
