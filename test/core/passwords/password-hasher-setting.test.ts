import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordHasherFromSettings } from '../../../src/core/config/password-hasher-from-settings.js';
import { SETTING_DEFINITIONS } from '../../../src/core/config/setting-definitions.js';
import { DEFAULT_SETTINGS } from '../../../src/core/config/settings.js';
import { librarySettingsFromEnv } from '../../../src/core/config/settings-from-env.js';
import { WRITABLE_HASHERS } from '../../../src/core/passwords/django-hasher-names.js';

test('TESSERA_PASSWORD_HASHER: pbkdf2_sha256 by default, any writable hasher, nothing else', () => {
  assert.equal(DEFAULT_SETTINGS.passwordHasher, 'pbkdf2_sha256');
  assert.equal(passwordHasherFromSettings(DEFAULT_SETTINGS).algorithm, 'pbkdf2_sha256');
  assert.deepEqual(SETTING_DEFINITIONS.passwordHasher, {
    ...SETTING_DEFINITIONS.passwordHasher,
    kind: 'enum',
    values: WRITABLE_HASHERS,
  });
  for (const name of WRITABLE_HASHERS) {
    const settings = librarySettingsFromEnv({ TESSERA_PASSWORD_HASHER: ` ${name.toUpperCase()} ` });
    assert.equal(settings.passwordHasher, name);
    assert.equal(passwordHasherFromSettings({ ...DEFAULT_SETTINGS, ...settings }).algorithm, name);
  }
  for (const refused of ['crypt', 'md5', 'bcrypt', 'unsalted_md5']) {
    assert.throws(
      () => librarySettingsFromEnv({ TESSERA_PASSWORD_HASHER: refused }),
      /TESSERA_PASSWORD_HASHER/,
    );
  }
});
