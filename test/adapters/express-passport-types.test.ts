import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');

test("Express adapter: its request typing compiles next to @types/passport's `Request.user`", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-passport-types-'));
  try {
    const config = join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.json'),
        // Both declarations of `Express.Request` are loaded, and nothing else of the project.
        compilerOptions: {
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, 'node_modules/@types')],
          types: ['node', 'passport'],
        },
        include: [],
        files: [join(ROOT, 'test/adapters/fixtures/express-with-passport.ts')],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const compiled = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' });
    assert.equal(compiled.status, 0, compiled.stdout + compiled.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
