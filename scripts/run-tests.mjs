// Runs every `*.test.ts` under test/ with node:test through tsx.
// Node 20's `--test` does not expand globs, so the files are listed here.
// Tests that need TypeScript's decorators (NestJS) are listed in tsconfig.decorators.json's
// `include`: tsc compiles them first (tsx emits no decorator metadata), and their output runs.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const DECORATORS_CONFIG = 'tsconfig.decorators.json';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`No test files match ${filters.join(' ') || 'test/**/*.test.ts'}`);
  process.exit(1);
}

const decoratorsConfig = JSON.parse(readFileSync(DECORATORS_CONFIG, 'utf8'));
const decoratorTests = new Set(decoratorsConfig.include);
const outDir = decoratorsConfig.compilerOptions.outDir;
if (files.some((file) => decoratorTests.has(file))) {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', DECORATORS_CONFIG], {
    stdio: 'inherit',
  });
  if (compiled.status !== 0) process.exit(compiled.status ?? 1);
}
const runnable = files.map((file) =>
  decoratorTests.has(file) ? join(outDir, file.replace(/\.ts$/, '.js')) : file,
);

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', ...runnable],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
