import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  buildPackage,
  CommandFailed,
  copyExample,
  EXAMPLES,
  npmInstall,
  ROOT,
  run,
} from './package-build.js';

interface Manifest {
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
  overrides: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

const FRAMEWORKS = [
  'express',
  'fastify',
  'hono',
  '@hono/node-server',
  '@nestjs/common',
  '@nestjs/core',
] as const;
/** The frameworks an example may pull in: its own (NestJS runs on Express). */
const OWN_FRAMEWORKS: Record<string, readonly string[]> = {
  express: ['express'],
  fastify: ['fastify'],
  hono: ['hono', '@hono/node-server'],
  nest: ['@nestjs/common', '@nestjs/core', 'express'],
  node: [],
};

/** The packages installed in `dir`, by name, from `npm ls --all --parseable` (their paths). */
async function installedPackages(dir: string): Promise<Set<string>> {
  const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: dir });
  const names = new Set<string>();
  for (const path of stdout.split('\n')) {
    const at = path.lastIndexOf('node_modules/');
    if (at >= 0) names.add(path.slice(at + 'node_modules/'.length));
  }
  return names;
}

describe('the npm tarball, installed as users receive it', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tessera-pack-'));
  let tarball: string;
  let packedFiles: Set<string>;
  before(async () => {
    const packageDir = join(workspace, 'package');
    await buildPackage(packageDir);
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', workspace],
      { cwd: packageDir },
    );
    const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    tarball = join(workspace, packed.filename);
    packedFiles = new Set(packed.files.map((file) => file.path));
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  test("holds Django's common-password list, which the built code finds from dist/", async () => {
    assert.ok(packedFiles.has('data/common-passwords.txt.gz'));
    const built = join(workspace, 'package', 'dist', 'core', 'passwords', 'password-validation.js');
    const { validatePassword } = (await import(built)) as {
      validatePassword: (password: string) => string[];
    };
    assert.deepEqual(validatePassword('sunshine1'), ['This password is too common.']);
  });

  test('holds compiled JavaScript and declarations for every subpath export, and the bin', () => {
    const subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');
    for (const required of [
      '.',
      './fastify',
      './express',
      './hono',
      './nest',
      './node',
      './sqlite',
    ]) {
      assert.ok(subpaths.includes(required), `exports has ${required}`);
    }
    for (const subpath of subpaths) {
      const target = manifest.exports[subpath] as { types: string; default: string };
      assert.ok(packedFiles.has(target.types.slice(2)), `${subpath}: ${target.types}`);
      assert.ok(packedFiles.has(target.default.slice(2)), `${subpath}: ${target.default}`);
    }
    assert.ok(packedFiles.has(manifest.bin.tessera as string));
    assert.ok(
      ![...packedFiles].some((path) => path.startsWith('src/') || path.startsWith('test/')),
    );
  });

  test('installs into a fresh project, where a TypeScript file using every adapter type-checks and runs', {
    timeout: 900_000,
  }, async () => {
    const project = join(workspace, 'consumer');
    mkdirSync(project);
    const versions = manifest.devDependencies;
    const pick = (names: string[]) =>
      Object.fromEntries(names.map((name) => [name, versions[name] as string]));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'tessera-consumer',
        private: true,
        type: 'module',
        dependencies: {
          'tessera-auth': `file:${tarball}`,
          ...pick([
            'express',
            'fastify',
            'hono',
            '@hono/node-server',
            '@nestjs/common',
            '@nestjs/core',
            '@nestjs/platform-express',
            'reflect-metadata',
            'rxjs',
          ]),
        },
        devDependencies: pick(['typescript', '@types/node', '@types/express']),
        overrides: manifest.overrides,
      }),
    );
    for (const file of ['check.ts', 'tsconfig.json']) {
      copyFileSync(join(import.meta.dirname, 'consumer', file), join(project, file));
    }
    // better-sqlite3 compiles from source here, as on a user's machine without prebuilds.
    await npmInstall(project);
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], { cwd: project });
    const { stdout } = await run(process.execPath, ['out/check.js'], { cwd: project });
    const answers = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(answers.length, 10, stdout);
    for (const answer of answers) {
      assert.deepEqual(
        {
          status: answer.status,
          wwwAuthenticate: answer.wwwAuthenticate,
          contentType: answer.contentType,
          body: answer.body,
        },
        {
          status: 401,
          wwwAuthenticate: 'Token',
          contentType: 'application/json',
          body: '{"detail":"Authentication credentials were not provided."}',
        },
        `${answer.adapter} ${answer.path}`,
      );
    }
    const migrated = await run(process.execPath, ['node_modules/.bin/tessera', 'migrate'], {
      cwd: project,
    });
    assert.match(migrated.stdout, /Applying 0001_initial\.\.\. OK/);
  });

  describe('each example installed from the tarball', { concurrency: true }, () => {
    for (const name of EXAMPLES) {
      test(`examples/${name}: npm ls shows no other framework`, async () => {
        const dir = join(workspace, `ls-${name}`);
        copyExample(name, dir, tarball);
        // The tree is what matters here: no native build of better-sqlite3.
        await npmInstall(dir, ['--ignore-scripts']);
        const names = await installedPackages(dir);
        assert.ok(names.has('tessera-auth'));
        const own = OWN_FRAMEWORKS[name] ?? [];
        for (const framework of own) assert.ok(names.has(framework), `${name} has ${framework}`);
        const others = FRAMEWORKS.filter((framework) => !own.includes(framework));
        assert.deepEqual(
          others.filter((framework) => names.has(framework)),
          [],
          `examples/${name} installs other frameworks`,
        );
        // What a user reads: `npm ls` names the example's direct dependencies only.
        const { stdout: listing } = await run('npm', ['ls'], { cwd: dir });
        for (const framework of others) assert.ok(!listing.includes(`${framework}@`), listing);
      });
    }
  });

  test('without fastify installed, tessera serve fails with one line naming the fix', async () => {
    const dir = join(workspace, 'no-fastify');
    copyExample('express', dir, tarball);
    await npmInstall(dir, ['--ignore-scripts']);
    const failure = await run(
      process.execPath,
      ['node_modules/tessera-auth/dist/cli/main.js', 'serve'],
      { cwd: dir },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof CommandFailed, 'serve should fail');
    assert.equal(failure.code, 1);
    assert.equal(
      failure.stderr,
      'CommandError: The reference server runs on Fastify, which is not installed: npm install fastify\n',
    );
  });
});
