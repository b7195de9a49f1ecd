// Runs the `*.test.ts` files under test/ with node:test through tsx.
//   node scripts/run-tests.mjs [--tier unit|db|package] [--list] [path-substring…]
// `--tier` keeps one tier (scripts/test-tiers.mjs says which file is in which); substrings keep
// the files whose path holds one of them; `--list` prints each kept file and its tier instead
// of running them.
// Node 20's `--test` does not expand globs, so the files are listed here.
// Tests that need TypeScript's decorators (NestJS) are listed in tsconfig.decorators.json's
// `include`: tsc compiles them first (tsx emits no decorator metadata), and their output runs.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TIERS, tierOf } from './test-tiers.mjs';

const DECORATORS_CONFIG = 'tsconfig.decorators.json';

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const { values: flags, positionals: filters } = parseArgs({
  options: { tier: { type: 'string' }, list: { type: 'boolean', default: false } },
  allowPositionals: true,
});
if (flags.tier !== undefined && !TIERS.includes(flags.tier)) {
  console.error(`--tier takes ${TIERS.join(', ')}; not ${flags.tier}`);
  process.exit(2);
}

const files = findTests('test')
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .filter((file) => flags.tier === undefined || tierOf(file) === flags.tier)
  .sort();
if (flags.list) {
  for (const file of files) console.log(`${tierOf(file)}\t${file}`);
  process.exit(0);
}
if (files.length === 0) {
  const tier = flags.tier === undefined ? '' : ` in the ${flags.tier} tier`;
  console.error(`No test files match ${filters.join(' ') || 'test/**/*.test.ts'}${tier}`);
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
