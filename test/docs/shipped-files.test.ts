import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { packedTarball } from '../package/packed-project.js';

/** The paths in tessera-auth's tarball, without npm's `package/` prefix. */
async function packedPaths(): Promise<Set<string>> {
  const { stdout } = await promisify(execFile)('tar', ['-tzf', await packedTarball()]);
  return new Set(
    stdout
      .split('\n')
      .filter((line) => line !== '' && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, '')),
  );
}

test('the tarball ships no source map: the sources a map would point at are not in it', {
  timeout: 600_000,
}, async () => {
  const paths = await packedPaths();
  assert.ok(paths.has('dist/index.js'));
  assert.deepEqual(
    [...paths].filter((path) => path.endsWith('.map')),
    [],
  );
  assert.ok(![...paths].some((path) => path.startsWith('src/')));
});

test('the tarball holds the licence, the third-party notices, the changelog and the docs the README links to', {
  timeout: 600_000,
}, async () => {
  const paths = await packedPaths();
  for (const file of [
    'LICENSE',
    'THIRD-PARTY-NOTICES.md',
    'CHANGELOG.md',
    'README.md',
    'SECURITY.md',
    'docs/frameworks.md',
  ]) {
    assert.ok(paths.has(file), `${file} is in the tarball`);
  }
});
