import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';

/** The repository's root folder. */
export const ROOT = resolve(import.meta.dirname, '../..');

/** What a finished command printed. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** A command that exited non-zero, with everything it printed. */
export class CommandFailed extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command} exited ${code}\n${stdout}\n${stderr}`);
  }
}

/** The environment for child processes, without node:test's marker for its own children. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  return { ...env, ...extra };
}

/** Runs a command to completion; rejects with `CommandFailed` on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<CommandOutput> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? childEnv(), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          reject(new CommandFailed(`${command} ${args.join(' ')}`, code, stdout, stderr));
        } else {
          resolvePromise({ stdout, stderr });
        }
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/**
 * Builds tessera-auth as `npm pack` would publish it (package.json without `prepare`,
 * README.md, data/, compiled dist/) into `dir`, from the sources, without touching the working tree's
 * own dist/.
 */
export async function buildPackage(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  // Built here already: npm would run `prepare` for a linked folder, with no sources to build.
  delete manifest.scripts.prepare;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  copyFileSync(join(ROOT, 'README.md'), join(dir, 'README.md'));
  // Files the code reads at run time (Django's common-password list), as package.json "files" has.
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  await run(
    process.execPath,
    [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')],
    { cwd: ROOT },
  );
}

/** The example apps, as their folders under examples/ are named. */
export const EXAMPLES = ['express', 'fastify', 'hono', 'nest', 'node'] as const;

/**
 * Copies `examples/<name>` into `dir` (without installed or built files), depending on
 * tessera-auth at `tesseraSpec` (a folder or a tarball) instead of `file:../..`.
 */
export function copyExample(name: string, dir: string, tesseraSpec: string): void {
  cpSync(join(ROOT, 'examples', name), dir, {
    recursive: true,
    filter: (source) =>
      !['node_modules', 'dist', 'package-lock.json'].includes(basename(source)) &&
      !basename(source).startsWith('tessera.sqlite3'),
  });
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    dependencies: Record<string, string>;
  };
  manifest.dependencies['tessera-auth'] = `file:${tesseraSpec}`;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** `npm install` as a user runs it, reusing npm's cache. */
export function npmInstall(dir: string, extra: readonly string[] = []): Promise<CommandOutput> {
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...extra], {
    cwd: dir,
  });
}
