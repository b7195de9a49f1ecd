import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SETTINGS_PAGE, settingsTable, withSettingsTable } from '../../scripts/docs-settings.js';
import { SETTING_DEFINITIONS } from '../../src/core/config/setting-definitions.js';

test('docs/settings.md holds the table generated from the settings table (npm run docs:settings)', () => {
  const page = readFileSync(SETTINGS_PAGE, 'utf8');
  assert.equal(page, withSettingsTable(page), 'run `npm run docs:settings` and commit the page');
});

test('the generated table has one row per setting, naming its variable, key and default', () => {
  const rows = settingsTable().split('\n').slice(2);
  assert.equal(rows.length, Object.keys(SETTING_DEFINITIONS).length);
  assert.ok(
    rows.includes(
      rows.find((row) =>
        row.startsWith(
          '| `DATABASE_URL` | `databaseUrl` | `openStore` | `sqlite:./tessera.sqlite3` |',
        ),
      ) ?? '',
    ),
  );
  assert.ok(
    rows.some((row) =>
      row.startsWith('| `TESSERA_KEYWORDS` | `keywords` | `createTessera` | `Token` |'),
    ),
  );
  assert.ok(
    rows.some((row) =>
      row.startsWith('| `TESSERA_NUM_PROXIES` | `numProxies` | `createTessera` | none |'),
    ),
  );
});
