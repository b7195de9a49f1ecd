import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  loadOptionalExport,
  OptionalPackageError,
} from '../../../src/core/config/optional-package.js';

test('a driver package that is not installed is one error naming the package to install', async () => {
  await assert.rejects(
    loadOptionalExport('tessera-no-such-driver', 'Pool', 'PostgreSQL'),
    (error: unknown) => {
      assert.ok(error instanceof OptionalPackageError);
      assert.equal(error.packageName, 'tessera-no-such-driver');
      assert.equal(
        error.message,
        'PostgreSQL needs the optional package "tessera-no-such-driver", which could not be ' +
          'loaded. Install it with: npm install tessera-no-such-driver',
      );
      assert.ok(error.cause instanceof Error);
      return true;
    },
  );
});

test('a package without the export is refused the same way', async () => {
  await assert.rejects(
    loadOptionalExport('pg', 'createPool', 'MySQL/MariaDB', async () => ({ default: {} })),
    /MySQL\/MariaDB needs the optional package "pg", which has no "createPool" export\. Install it with: npm install pg/,
  );
});

test('the installed drivers load, CommonJS default export or named', async () => {
  assert.equal(typeof (await loadOptionalExport('pg', 'Pool', 'PostgreSQL')), 'function');
  assert.equal(typeof (await loadOptionalExport('mysql2', 'createPool', 'MySQL')), 'function');
  const named = () => 'named';
  assert.equal(await loadOptionalExport('x', 'Pool', 'X', async () => ({ Pool: named })), named);
});
