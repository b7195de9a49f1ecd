// CommonJS apps loading tessera-auth, an ES-module-only package, as
// docs/typescript-and-commonjs.md describes: import() on every Node version tessera supports,
// require() where Node runs ES modules from require (20.19+, 22.12+), and the TypeScript
// settings that decide which of the two a compiled `import` becomes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPackedProject, type PackedProject, REPO_ROOT } from './packed-project.js';

const [NODE_MAJOR = 0, NODE_MINOR = 0] = process.versions.node.split('.').map(Number);
/** Node 20.19+ and 22.12+ load an ES module with require() without a flag. */
const REQUIRE_ESM =
  (NODE_MAJOR === 20 && NODE_MINOR >= 19) ||
  (NODE_MAJOR === 22 && NODE_MINOR >= 12) ||
  NODE_MAJOR > 22;

/** Opens an in-memory store, wires tessera over it, and prints what it built. */
const USE_TESSERA = [
  "  const store = await openStore('sqlite::memory:');",
  '  await store.migrate();',
  '  const tessera = createTessera({ store });',
  '  console.log(typeof tessera.views.obtainToken.handle);',
  '  await tessera.close();',
  '  await store.close();',
].join('\n');

function expectSuccess(result: { code: number | null; stdout: string; stderr: string }): string {
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

describe('a CommonJS app in JavaScript', () => {
  let project: PackedProject;
  before(async () => {
    project = await createPackedProject({
      packageJson: { name: 'commonjs-app', private: true, type: 'commonjs' },
      files: {
        'dynamic-import.js': [
          "'use strict';",
          'async function main() {',
          "  const { createTessera, openStore } = await import('tessera-auth');",
          USE_TESSERA,
          '}',
          'main().catch((error) => {',
          '  console.error(error);',
          '  process.exitCode = 1;',
          '});',
          '',
        ].join('\n'),
        'require.js': [
          "'use strict';",
          "const { createTessera, openStore } = require('tessera-auth');",
          "const { openSqliteStore } = require('tessera-auth/sqlite');",
          'async function main() {',
          USE_TESSERA,
          '  console.log(typeof openSqliteStore);',
          "  console.log(require('tessera-auth') === (await import('tessera-auth')));",
          '}',
          'main().catch((error) => {',
          '  console.error(error);',
          '  process.exitCode = 1;',
          '});',
          '',
        ].join('\n'),
      },
    });
  });
  after(() => project.cleanup());

  test('loads tessera-auth with import() and opens a store', async () => {
    assert.equal(expectSuccess(await project.exec('node', ['dynamic-import.js'])), 'function\n');
  });

  test(`require() loads it, the same module import() gives, without a warning on Node 20.19+ and 22.13+ (${process.version})`, {
    skip: !REQUIRE_ESM && `Node ${process.version} needs --experimental-require-module`,
  }, async () => {
    const result = await project.exec('node', ['require.js']);
    assert.equal(expectSuccess(result), 'function\nfunction\ntrue\n');
    // Node 22.12 alone warns once; later releases (and 20.19+) warn only when asked to.
    if (!(NODE_MAJOR === 22 && NODE_MINOR === 12)) assert.equal(result.stderr, '');
  });
});

describe('a CommonJS app in TypeScript', () => {
  const projects: PackedProject[] = [];
  after(() => Promise.all(projects.map((project) => project.cleanup())));

  /** Compiles `src/main.ts` with `compilerOptions` into dist/, and returns the project. */
  async function compiled(
    name: string,
    compilerOptions: Record<string, unknown>,
    main: string,
  ): Promise<PackedProject> {
    const project = await createPackedProject({
      dependencies: ['typescript', '@types/node'],
      packageJson: { name, private: true },
      tsconfig: {
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          types: ['node'],
          rootDir: 'src',
          outDir: 'dist',
          ...compilerOptions,
        },
        include: ['src'],
      },
      files: { 'src/main.ts': main },
    });
    projects.push(project);
    expectSuccess(await project.exec('node', ['node_modules/typescript/bin/tsc', '-p', '.']));
    return project;
  }

  const staticImport = [
    "import { createTessera, openStore } from 'tessera-auth';",
    'async function main(): Promise<void> {',
    USE_TESSERA,
    '}',
    'void main();',
    '',
  ].join('\n');

  test('classic NestJS settings (commonjs, node10, decorators): a static import becomes require()', {
    skip: !REQUIRE_ESM && `Node ${process.version} cannot require() an ES module`,
  }, async () => {
    const project = await compiled(
      'classic-nest-app',
      {
        module: 'commonjs',
        moduleResolution: 'node10',
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      },
      staticImport,
    );
    assert.match(
      readFileSync(join(project.dir, 'dist/main.js'), 'utf8'),
      /require\("tessera-auth"\)/,
    );
    assert.equal(expectSuccess(await project.exec('node', ['dist/main.js'])), 'function\n');
  });

  test('with "module": "commonjs", TypeScript compiles import() to require() too', async () => {
    const project = await compiled(
      'commonjs-dynamic-app',
      { module: 'commonjs', moduleResolution: 'node10' },
      "export const load = () => import('tessera-auth');\n",
    );
    const output = readFileSync(join(project.dir, 'dist/main.js'), 'utf8');
    assert.match(output, /require\('tessera-auth'\)/);
    assert.doesNotMatch(output, /import\(/);
  });

  test('with "module": "nodenext", import() stays import() in CommonJS output and runs on every supported Node', async () => {
    const project = await compiled(
      'nodenext-commonjs-app',
      { module: 'nodenext', moduleResolution: 'nodenext' },
      [
        'async function main(): Promise<void> {',
        "  const { createTessera, openStore } = await import('tessera-auth');",
        USE_TESSERA,
        '}',
        'void main();',
        '',
      ].join('\n'),
    );
    const output = readFileSync(join(project.dir, 'dist/main.js'), 'utf8');
    assert.match(output, /await import\('tessera-auth'\)/);
    assert.equal(expectSuccess(await project.exec('node', ['dist/main.js'])), 'function\n');
  });

  test('with "module": "nodenext" (TypeScript 5.8+), a static import in CommonJS compiles to require()', {
    skip: !REQUIRE_ESM && `Node ${process.version} cannot require() an ES module`,
  }, async () => {
    const project = await compiled(
      'nodenext-static-app',
      { module: 'nodenext', moduleResolution: 'nodenext' },
      staticImport,
    );
    assert.match(
      readFileSync(join(project.dir, 'dist/main.js'), 'utf8'),
      /require\("tessera-auth"\)/,
    );
    assert.equal(expectSuccess(await project.exec('node', ['dist/main.js'])), 'function\n');
  });

  test("docs/typescript-and-commonjs.md's classic NestJS tsconfig and main.ts compile and run", {
    skip: !REQUIRE_ESM && `Node ${process.version} cannot require() an ES module`,
  }, async () => {
    const page = readFileSync(join(REPO_ROOT, 'docs', 'typescript-and-commonjs.md'), 'utf8');
    const block = (firstLine: string): string => {
      const found = new RegExp(`\`\`\`\\w+\n${firstLine}\n([\\s\\S]*?)\`\`\``).exec(page);
      assert.ok(found, `the page has a block starting ${firstLine}`);
      return found[1] as string;
    };
    const tsconfig = JSON.parse(block('// tsconfig.json of a classic NestJS app')) as Record<
      string,
      unknown
    >;
    const project = await createPackedProject({
      dependencies: [
        'typescript',
        '@types/node',
        '@nestjs/common',
        '@nestjs/core',
        '@nestjs/platform-express',
        'reflect-metadata',
        'rxjs',
      ],
      packageJson: { name: 'classic-nest-app', private: true },
      tsconfig,
      files: { 'src/main.ts': block('// src/main.ts') },
    });
    projects.push(project);
    expectSuccess(await project.exec('node', ['node_modules/typescript/bin/tsc', '-p', '.']));
    assert.match(
      readFileSync(join(project.dir, 'dist/main.js'), 'utf8'),
      /require\("tessera-auth\/nest"\)/,
    );
    expectSuccess(await project.exec('node', ['dist/main.js']));
  });
});
