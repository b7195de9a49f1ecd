import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

// The repository stands alone: no code, test, script or benchmark reaches a folder beside it.
// Written in pieces so that this file does not name the path it looks for.
const SIBLING_FOLDER = new RegExp(['\\.\\.', 'shared'].join('/'));
const ROOTS = ['src', 'test', 'scripts', 'bench'];
const SKIPPED = new Set(['node_modules', '.build', 'dist']);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

test('no file under src, test, scripts or bench names a path into a sibling shared folder', () => {
  const naming = ROOTS.flatMap((root) => files(root)).filter((file) =>
    SIBLING_FOLDER.test(readFileSync(file, 'latin1')),
  );
  assert.deepEqual(naming, []);
});
