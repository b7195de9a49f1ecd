import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SETTINGS, THROTTLING_OFF } from '../../../src/core/config/settings.js';
import { SettingsError, settingsFromEnv } from '../../../src/core/config/settings-from-env.js';

describe('settings: abuse limits', () => {
  test('the defaults are on, with these values', () => {
    assert.equal(DEFAULT_SETTINGS.loginFailuresPerUserIp, '5/min');
    assert.equal(DEFAULT_SETTINGS.loginFailuresPerUser, '20/min');
    assert.equal(DEFAULT_SETTINGS.loginFailuresPerIp, '30/min');
    assert.equal(DEFAULT_SETTINGS.keyFailuresPerIp, '60/min');
    assert.equal(DEFAULT_SETTINGS.passwordConcurrency, 2);
    assert.equal(DEFAULT_SETTINGS.passwordQueueLimit, 16);
    assert.equal(DEFAULT_SETTINGS.numProxies, null);
    assert.equal(DEFAULT_SETTINGS.redisUrl, null);
  });

  test('an empty environment gives the defaults', () => {
    const settings = settingsFromEnv({});
    for (const name of [
      'loginFailuresPerUserIp',
      'loginFailuresPerUser',
      'loginFailuresPerIp',
      'keyFailuresPerIp',
      'passwordQueueLimit',
      'numProxies',
      'redisUrl',
    ] as const) {
      assert.equal(settings[name], DEFAULT_SETTINGS[name], name);
    }
  });

  test('rates are read, and "off" or "none" switch a limit off', () => {
    const settings = settingsFromEnv({
      TESSERA_LOGIN_FAILURES_PER_USER_IP: '3/hour',
      TESSERA_LOGIN_FAILURES_PER_USER: 'off',
      TESSERA_LOGIN_FAILURES_PER_IP: 'None',
      TESSERA_KEY_FAILURES_PER_IP: ' 100/m ',
    });
    assert.equal(settings.loginFailuresPerUserIp, '3/hour');
    assert.equal(settings.loginFailuresPerUser, null);
    assert.equal(settings.loginFailuresPerIp, null);
    assert.equal(settings.keyFailuresPerIp, '100/m');
  });

  test('a rate that cannot be read names the variable', () => {
    assert.throws(
      () => settingsFromEnv({ TESSERA_KEY_FAILURES_PER_IP: '100 per minute' }),
      (error: Error) =>
        error instanceof SettingsError &&
        /^TESSERA_KEY_FAILURES_PER_IP must be a rate/.test(error.message),
    );
    assert.throws(
      () => settingsFromEnv({ TESSERA_LOGIN_FAILURES_PER_USER: '5/10m' }),
      SettingsError,
    );
  });

  test('TESSERA_NUM_PROXIES, TESSERA_PASSWORD_QUEUE_LIMIT and REDIS_URL', () => {
    const settings = settingsFromEnv({
      TESSERA_NUM_PROXIES: '2',
      TESSERA_PASSWORD_QUEUE_LIMIT: '0',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
    });
    assert.equal(settings.numProxies, 2);
    assert.equal(settings.passwordQueueLimit, 0);
    assert.equal(settings.redisUrl, 'redis://127.0.0.1:6379/2');
    assert.equal(settingsFromEnv({ TESSERA_NUM_PROXIES: '0' }).numProxies, 0);
    assert.throws(() => settingsFromEnv({ TESSERA_NUM_PROXIES: '-1' }), SettingsError);
    assert.throws(() => settingsFromEnv({ TESSERA_PASSWORD_QUEUE_LIMIT: 'many' }), SettingsError);
  });

  test('THROTTLING_OFF switches every failure limit off', () => {
    const settings = { ...DEFAULT_SETTINGS, ...THROTTLING_OFF };
    assert.equal(settings.loginFailuresPerUserIp, null);
    assert.equal(settings.loginFailuresPerUser, null);
    assert.equal(settings.loginFailuresPerIp, null);
    assert.equal(settings.keyFailuresPerIp, null);
  });
});
