/**
 * Throwaway projects that depend on tessera-auth exactly as npm publishes it, without a registry.
 *
 * `packedTarball()` compiles the sources the way `npm run build` does (tsconfig.build.json) into a
 * temporary copy of the package (package.json, its "files" and the compiled dist/), then runs
 * `npm pack` there. It does this once per test process and returns the same .tgz afterwards;
 * the working tree's own dist/ is never touched, so a test can run while the sources are rebuilt.
 *
 * `createPackedProject(options)` makes a fresh folder under the OS temp dir:
 * - package.json: `{"type":"module"}` unless `options.packageJson` replaces it;
 * - tsconfig.json: only when `options.tsconfig` is given;
 * - node_modules/tessera-auth: real files, extracted from the tarball, so the package resolves
 *   its imports from this project only, like an installed copy does;
 * - node_modules/<name>: a symlink to this repository's node_modules/<name> for each runtime
 *   dependency of tessera-auth and each `options.dependencies` entry (`typescript`, `express`,
 *   `@types/node`, ...). Node and TypeScript follow a symlink to its real path, so a linked
 *   package's own (transitive) dependencies resolve from this repository's node_modules;
 *   tessera-auth itself sees only what is linked next to it. Nothing is downloaded.
 * - `options.files`: more files, by path relative to the project (folders are created).
 *
 * `exec` runs a command in the project and resolves with its exit code and output (it never
 * rejects on a non-zero exit, so a test can assert on failures). `node_modules/.bin` of the
 * project comes first on PATH. `cleanup()` deletes the folder.
 *
 * Example:
 *   const project = await createPackedProject({ dependencies: ['typescript', '@types/node'],
 *     files: { 'main.ts': "import { createTessera } from 'tessera-auth';" } });
 *   const { code, stdout } = await project.exec('node', ['node_modules/typescript/bin/tsc']);
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

/** The repository's root folder. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** What a finished command returned. */
export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of one command run in a packed project. */
export interface ExecOptions {
  /** Replaces the environment (node:test's own marker is always removed). */
  env?: NodeJS.ProcessEnv;
  /** Kills the command after this long; default two minutes. */
  timeoutMs?: number;
}

/** What `createPackedProject` builds. */
export interface PackedProjectOptions {
  /** Packages linked from this repository's node_modules (with their transitive dependencies). */
  dependencies?: string[];
  /** The project's package.json; default `{"type":"module"}`. */
  packageJson?: Record<string, unknown>;
  /** The project's tsconfig.json; none is written without it. */
  tsconfig?: Record<string, unknown>;
  /** More files by relative path. */
  files?: Record<string, string>;
}

/** A temporary project with tessera-auth installed from the packed tarball. */
export interface PackedProject {
  readonly dir: string;
  exec(command: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
  cleanup(): Promise<void>;
}

interface Manifest {
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** The environment for child processes, without node:test's marker for its own children. */
function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, ...rest } = env;
  return rest;
}

/** Runs a command; resolves with its exit code and output whatever the code. */
function execIn(
  cwd: string,
  command: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  return new Promise((resolvePromise, reject) => {
    const env = childEnv(opts.env);
    env.PATH = [join(cwd, 'node_modules', '.bin'), env.PATH ?? ''].join(delimiter);
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

async function mustSucceed(
  cwd: string,
  command: string,
  args: readonly string[],
  opts?: ExecOptions,
): Promise<string> {
  const result = await execIn(cwd, command, args, { timeoutMs: 600_000, ...opts });
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

async function buildTarball(): Promise<string> {
  const workspace = mkdtempSync(join(tmpdir(), 'tessera-tarball-'));
  process.once('exit', () => rmSync(workspace, { recursive: true, force: true }));
  const packageDir = join(workspace, 'package');
  mkdirSync(packageDir);
  const manifest = readManifest(REPO_ROOT);
  // Built below already: npm would run `prepare` again, with no sources to build from.
  delete manifest.scripts?.prepare;
  writeFileSync(join(packageDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const entry of manifest.files ?? []) {
    // A pattern (`docs/*.md`): copy the folder it starts in, and let npm pack apply the pattern.
    const segments = entry.split('/');
    const firstPattern = segments.findIndex((segment) => /[*?[{]/.test(segment));
    const literal = (firstPattern === -1 ? segments : segments.slice(0, firstPattern)).join('/');
    if (literal === 'dist' || literal === '' || !existsSync(join(REPO_ROOT, literal))) continue;
    cpSync(join(REPO_ROOT, literal), join(packageDir, literal), { recursive: true });
  }
  // What `npm run build` runs, with dist/ in the copy instead of the working tree.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await mustSucceed(REPO_ROOT, process.execPath, [
    tsc,
    '-p',
    join(REPO_ROOT, 'tsconfig.build.json'),
    '--outDir',
    join(packageDir, 'dist'),
  ]);
  const stdout = await mustSucceed(packageDir, 'npm', [
    'pack',
    '--ignore-scripts',
    '--json',
    '--pack-destination',
    workspace,
  ]);
  const [packed] = JSON.parse(stdout) as [{ filename: string }];
  return join(workspace, packed.filename);
}

let tarball: Promise<string> | undefined;

/** The path of tessera-auth's .tgz, built and packed once per process. */
export function packedTarball(): Promise<string> {
  tarball ??= buildTarball();
  return tarball;
}

function linkPackage(projectDir: string, name: string): void {
  const target = join(REPO_ROOT, 'node_modules', name);
  if (!existsSync(target)) {
    throw new Error(`${name} is not installed in ${REPO_ROOT}/node_modules`);
  }
  const link = join(projectDir, 'node_modules', name);
  if (existsSync(link)) return;
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(target, link, 'dir');
}

/** A fresh temporary project with tessera-auth from the tarball; see the top of this file. */
export async function createPackedProject(
  options: PackedProjectOptions = {},
): Promise<PackedProject> {
  const tgz = await packedTarball();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-project-'));
  const installed = join(dir, 'node_modules', 'tessera-auth');
  mkdirSync(installed, { recursive: true });
  await mustSucceed(dir, 'tar', ['-xzf', tgz, '-C', installed, '--strip-components=1']);

  const runtime = Object.keys(readManifest(installed).dependencies ?? {});
  for (const name of [...runtime, ...(options.dependencies ?? [])]) linkPackage(dir, name);

  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(options.packageJson ?? { type: 'module' }, null, 2)}\n`,
  );
  if (options.tsconfig) {
    writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(options.tsconfig, null, 2)}\n`);
  }
  for (const [path, content] of Object.entries(options.files ?? {})) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }

  return {
    dir,
    exec: (command, args, opts) => execIn(dir, command, args, opts),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
