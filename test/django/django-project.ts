import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, requireDjango } from './python-dependencies.js';
import type { SharedDatabase } from './shared-database.js';

const HELPER = join(import.meta.dirname, 'django_project.py');
const DRF_KEY_LINE = /^Generated token ([0-9a-f]{40}) for user /;

/** What one Python process printed. */
export interface PythonResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A user the Django app makes, its password hashed by the named Django hasher. */
export interface DjangoUser {
  readonly username: string;
  readonly password: string;
  /** A Django hasher's algorithm (`pbkdf2_sha256`, `md5`, …); Django's first when absent. */
  readonly hasher?: string;
  readonly is_active?: boolean;
  readonly is_staff?: boolean;
}

// Debian's Python alone: nothing of the pyenv or virtualenv the tests run under.
function pythonEnvironment(): NodeJS.ProcessEnv {
  return { PATH: '/usr/bin:/bin', HOME: process.env.HOME, PYTHONIOENCODING: 'utf-8' };
}

function runPython(args: readonly string[], cwd: string, input = ''): PythonResult {
  const result = spawnSync(PYTHON, args, {
    cwd,
    env: pythonEnvironment(),
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A real Django 3.2 + DRF 3.14 project made by `django startproject` in a temporary folder, on a
 * database it shares with tessera: `obtain_auth_token` at `/api-token-auth/`, a
 * `TokenAuthentication` + `IsAuthenticated` view at `/api/build-trigger/` and the admin.
 */
export class DjangoProject {
  private constructor(
    readonly dir: string,
    readonly database: SharedDatabase,
  ) {}

  /** Makes the project on `database` and runs Django's own `manage.py migrate` on it. */
  static create(database: SharedDatabase): DjangoProject {
    requireDjango();
    const dir = mkdtempSync(join(tmpdir(), 'tessera-django-'));
    const project = new DjangoProject(dir, database);
    project.helper('create', { database: database.django });
    project.manage(['migrate', '--noinput']);
    return project;
  }

  /** `manage.py <args>`; throws with Django's stderr unless it exits 0. */
  manage(args: readonly string[], input = ''): string {
    const result = this.tryManage(args, input);
    if (result.status !== 0) {
      throw new Error(`manage.py ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
    }
    return result.stdout;
  }

  /** `manage.py <args>`, whatever its exit status. */
  tryManage(args: readonly string[], input = ''): PythonResult {
    return runPython([join(this.dir, 'manage.py'), ...args], this.dir, input);
  }

  /** One command of django_project.py, its arguments (passwords too) as JSON on stdin. */
  helper<T = unknown>(command: string, argumentsJson: unknown): T {
    const result = runPython([HELPER, command, this.dir], this.dir, JSON.stringify(argumentsJson));
    if (result.status !== 0) {
      throw new Error(`django_project.py ${command} failed (${result.status}): ${result.stderr}`);
    }
    return JSON.parse(result.stdout) as T;
  }

  /** Makes users through Django's ORM; returns the algorithm Django stored for each. */
  makeUsers(users: readonly DjangoUser[]): Record<string, string> {
    return this.helper('users', users);
  }

  /** `manage.py drf_create_token <username>`: the user's DRF key (made or existing). */
  drfCreateToken(username: string): string {
    const key = DRF_KEY_LINE.exec(this.manage(['drf_create_token', username]))?.[1];
    if (!key) throw new Error(`drf_create_token ${username} printed no key`);
    return key;
  }

  /** Serves the project with gunicorn on a free loopback port. */
  serve(): Promise<DjangoServer> {
    return DjangoServer.start(this.dir);
  }

  async cleanup(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
    await this.database.drop();
  }
}

/** gunicorn serving a DjangoProject (one sync worker). */
export class DjangoServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly log: { text: string },
  ) {}

  /** What gunicorn and Django logged, for a failing test's message. */
  get output(): string {
    return this.log.text;
  }

  static async start(dir: string): Promise<DjangoServer> {
    // Port 0: gunicorn binds a free port and logs which, so no two servers race for one.
    const child = spawn(
      PYTHON,
      ['-m', 'gunicorn', '--bind', '127.0.0.1:0', '--workers', '1', 'drfsite.wsgi:application'],
      { cwd: dir, env: pythonEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const log = { text: '' };
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        reject(new Error(`gunicorn did not start: ${log.text}`));
      }, 30_000);
      const read = (chunk: Buffer) => {
        log.text += chunk.toString('utf8');
        const match = /Listening at: (http:\/\/127\.0\.0\.1:\d+)/.exec(log.text);
        if (match?.[1]) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`gunicorn exited (${code}): ${log.text}`));
      });
    });
    return new DjangoServer(url, child, log);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    await exited;
  }
}
