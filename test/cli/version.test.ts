import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../packaging/package-build.js';

describe('the version --version prints, once compiled into a package', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tessera-version-'));
  before(() => {
    // A package laid out as npm installs it (package.json above dist/cli/), with a version no
    // source file holds: what is printed must be read from the installed package.json.
    writeFileSync(
      join(workspace, 'package.json'),
      JSON.stringify({ name: 'tessera-auth', version: '9.8.7-installed', type: 'module' }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [
      tsc,
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--outDir',
      join(workspace, 'dist/cli'),
      join(ROOT, 'src/cli/package-version.ts'),
    ]);
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  test("is the installed package.json's, read at run time from dist/cli/", async () => {
    const built = pathToFileURL(join(workspace, 'dist/cli/package-version.js')).href;
    const { packageVersion } = (await import(built)) as { packageVersion: () => string };
    assert.equal(packageVersion(), '9.8.7-installed');
  });
});
