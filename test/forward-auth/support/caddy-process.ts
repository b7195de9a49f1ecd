import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CADDY_CANDIDATES = ['/usr/bin/caddy', '/usr/local/bin/caddy'];

/** The caddy binary; .ci/run installs Debian's package when it is missing. */
export function caddyBinary(): string {
  const found = CADDY_CANDIDATES.find((path) => existsSync(path));
  if (!found)
    throw new Error('caddy is not installed (.ci/run installs it: apt-get install caddy)');
  return found;
}

// Caddy keeps its data and autosaved configuration under these; the test's own folder holds them.
function caddyEnvironment(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
  };
}

// No admin endpoint: it would listen on a fixed port, 2019, that parallel runs would share.
const GLOBAL_OPTIONS = '{\n\tadmin off\n}\n\n';

/** `caddy adapt --validate` on a Caddyfile: null when valid, Caddy's complaint otherwise. */
export function caddyfileProblem(caddyfile: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-caddy-'));
  try {
    writeFileSync(join(dir, 'Caddyfile'), GLOBAL_OPTIONS + caddyfile);
    const result = spawnSync(
      caddyBinary(),
      ['adapt', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile', '--validate'],
      { env: caddyEnvironment(dir), encoding: 'utf8' },
    );
    return result.status === 0 ? null : `${result.stderr}${result.stdout}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** `caddy run` in the foreground as the current user, its state in a temporary directory. */
export class CaddyProcess {
  private constructor(
    private readonly dir: string,
    private readonly child: ChildProcess,
    private readonly log: { text: string },
  ) {}

  /** What Caddy logged so far, for a failing test's message. */
  get output(): string {
    return this.log.text;
  }

  static async start(caddyfile: string, port: number): Promise<CaddyProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-caddy-'));
    writeFileSync(join(dir, 'Caddyfile'), GLOBAL_OPTIONS + caddyfile);
    const child = spawn(
      caddyBinary(),
      ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
      { env: caddyEnvironment(dir), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const log = { text: '' };
    const read = (chunk: Buffer) => {
      log.text += chunk.toString('utf8');
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    const caddy = new CaddyProcess(dir, child, log);
    const deadline = Date.now() + 10_000;
    while (!(await accepting(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await caddy.stop();
        throw new Error(`caddy did not start: ${log.text}`);
      }
      await new Promise((done) => setTimeout(done, 50));
    }
    return caddy;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((done) => this.child.once('exit', done));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
