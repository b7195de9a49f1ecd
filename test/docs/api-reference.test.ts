import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './markdown.js';

interface TypeDocConfig {
  entryPoints: string[];
  out: string;
  treatWarningsAsErrors: boolean;
}

test('npm run docs documents every package.json export, from its source, with warnings as errors', async () => {
  const { default: config } = (await import(join(ROOT, 'typedoc.config.mjs'))) as {
    default: TypeDocConfig;
  };
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types?: string }>;
    scripts: Record<string, string>;
  };
  const declared = Object.values(manifest.exports)
    .map((target) => (typeof target === 'string' ? undefined : target.types))
    .filter((types) => types !== undefined);
  assert.equal(config.entryPoints.length, declared.length);
  for (const types of declared) {
    const source = types.replace(/^\.\/dist\//, './src/').replace(/\.d\.ts$/, '.ts');
    assert.ok(config.entryPoints.includes(source), `${types} is documented from ${source}`);
    assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
  }
  assert.equal(config.treatWarningsAsErrors, true);
  assert.match(manifest.scripts.docs ?? '', /typedoc .*--treatWarningsAsErrors/);
  // The output is generated: git ignores it, and it is not one of the docs pages.
  assert.match(readFileSync(join(ROOT, '.gitignore'), 'utf8'), /^api-docs\/$/m);
  assert.equal(config.out, './api-docs');
});
