// tessera-auth's entry points as a user installs them from the packed tarball: the root stays
// small and light, and every subpath resolves, also for classic NestJS's
// `"moduleResolution": "node10"` (CommonJS apps: commonjs.test.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPackedProject, type PackedProject, REPO_ROOT } from './packed-project.js';

/** What a user composes with fits on one screen. */
const ROOT_EXPORT_LIMIT = 40;

/** Drivers and native modules: loaded only when something needs them, never by an import. */
const HEAVY_PACKAGES = [
  'better-sqlite3',
  'pg',
  'mysql2',
  'ioredis',
  'argon2',
  'bcrypt',
  'bcryptjs',
  'kysely',
];

/** The subpaths package.json exports, without `./package.json`: `.`, `./nest`, … */
const SUBPATHS = Object.keys(
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: object })
    .exports,
).filter((subpath) => subpath !== './package.json');

/** The entry points that need no framework or driver to be imported (node:http is Node's own). */
const FRAMEWORK_FREE = [
  'tessera-auth',
  'tessera-auth/adapter-kit',
  'tessera-auth/testing',
  'tessera-auth/node',
];

/** Records every specifier the ESM loader resolves, one `specifier -> url` per line. */
const RECORDER = {
  'record-resolutions.mjs':
    "import { register } from 'node:module';\nregister('./resolution-hooks.mjs', import.meta.url);\n",
  'resolution-hooks.mjs': [
    "import { appendFileSync } from 'node:fs';",
    'export async function resolve(specifier, context, nextResolve) {',
    '  const resolved = await nextResolve(specifier, context);',
    "  appendFileSync(process.env.RESOLUTION_LOG, specifier + ' -> ' + resolved.url + '\\n');",
    '  return resolved;',
    '}',
    '',
  ].join('\n'),
};

/** The packages (by name) whose files a resolution log names. */
function packagesIn(log: string): Set<string> {
  const names = new Set<string>();
  for (const match of log.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)) {
    names.add(match[1] as string);
  }
  return names;
}

function expectSuccess(result: { code: number | null; stdout: string; stderr: string }): string {
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

describe('the root entry, installed from the tarball', () => {
  let project: PackedProject;
  before(async () => {
    project = await createPackedProject({
      files: {
        ...RECORDER,
        'count.mjs':
          "const root = await import('tessera-auth');\nconsole.log(JSON.stringify(Object.keys(root)));\n",
        'import-only.mjs': `await import(process.argv[2]);\n`,
        'open-sqlite.mjs': [
          "const { openStore } = await import('tessera-auth');",
          "const store = await openStore('sqlite::memory:');",
          'await store.close();',
          '',
        ].join('\n'),
      },
    });
  });
  after(() => project.cleanup());

  async function resolvedPackages(script: string, ...args: string[]): Promise<Set<string>> {
    const log = join(project.dir, `resolutions-${Math.random().toString(36).slice(2)}.log`);
    expectSuccess(
      await project.exec('node', ['--import', './record-resolutions.mjs', script, ...args], {
        env: { ...process.env, RESOLUTION_LOG: log },
      }),
    );
    return packagesIn(readFileSync(log, 'utf8'));
  }

  test(`exports at most ${ROOT_EXPORT_LIMIT} runtime names`, async () => {
    const names = JSON.parse(expectSuccess(await project.exec('node', ['count.mjs']))) as string[];
    assert.ok(
      names.length <= ROOT_EXPORT_LIMIT,
      `${names.length} names: ${names.join(', ')}; move plumbing to tessera-auth/adapter-kit`,
    );
    for (const composed of ['createTessera', 'openStore', 'defineView', 'IsAuthenticated']) {
      assert.ok(names.includes(composed), composed);
    }
  });

  for (const entry of FRAMEWORK_FREE) {
    test(`import '${entry}' loads no driver, native module or Kysely`, async () => {
      const loaded = await resolvedPackages('import-only.mjs', entry);
      assert.ok(loaded.has('tessera-auth'), [...loaded].join(', '));
      assert.deepEqual(
        HEAVY_PACKAGES.filter((name) => loaded.has(name)),
        [],
        `loaded: ${[...loaded].join(', ')}`,
      );
    });
  }

  test('openStore loads the driver its URL names, once it is called', async () => {
    const loaded = await resolvedPackages('open-sqlite.mjs');
    assert.ok(loaded.has('better-sqlite3'), [...loaded].join(', '));
    assert.ok(loaded.has('kysely'));
    assert.ok(!loaded.has('pg') && !loaded.has('mysql2') && !loaded.has('ioredis'));
  });
});

describe('every subpath, resolved by TypeScript with "moduleResolution": "node10"', () => {
  let project: PackedProject;
  const specifiers = SUBPATHS.map((subpath) => `tessera-auth${subpath.slice(1)}`);
  before(async () => {
    project = await createPackedProject({
      dependencies: ['typescript', '@types/node'],
      packageJson: { name: 'classic-nest-app', private: true },
      tsconfig: {
        compilerOptions: {
          module: 'commonjs',
          moduleResolution: 'node10',
          target: 'ES2021',
          strict: true,
          // Only resolution is checked here: each framework's types are another test's business.
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
        },
        files: ['main.ts'],
      },
      files: {
        'main.ts': specifiers
          .map((specifier, index) => `import type * as entry${index} from '${specifier}';`)
          .concat(`export type Entries = [${specifiers.map((_, i) => `typeof entry${i}`)}];`)
          .join('\n'),
      },
    });
  });
  after(() => project.cleanup());

  test(`finds the declarations of ${specifiers.join(', ')}`, async () => {
    const result = await project.exec('node', [
      'node_modules/typescript/bin/tsc',
      '-p',
      '.',
      '--traceResolution',
    ]);
    expectSuccess(result);
    for (const specifier of specifiers) {
      const resolved = new RegExp(
        `======== Module name '${specifier}' was successfully resolved to '([^']+)'`,
      ).exec(result.stdout);
      assert.ok(resolved, `${specifier} is not resolved`);
      assert.match(resolved[1] as string, /\/node_modules\/tessera-auth\/dist\/.+\.d\.ts$/);
    }
  });
});
