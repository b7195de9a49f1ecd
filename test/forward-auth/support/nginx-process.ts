import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

// Debian installs nginx in /usr/sbin, which a non-root PATH often lacks.
const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx'];

/** The nginx binary; .ci/run installs Debian's package when it is missing. */
export function nginxBinary(): string {
  const found = NGINX_CANDIDATES.find((path) => existsSync(path));
  if (!found)
    throw new Error('nginx is not installed (.ci/run installs it: apt-get install nginx)');
  return found;
}

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error()),
      );
    });
  });
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

/**
 * nginx in the foreground as the current user, with its own prefix, pid, logs and temporary
 * folders in a temporary directory, serving `httpConfig` (what goes inside `http { }`).
 */
export class NginxProcess {
  private constructor(
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  /** nginx's error log so far, for a failing test's message. */
  get errorLog(): string {
    const path = join(this.dir, 'error.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  /** `core`: pin nginx and its worker to this core (`taskset -c`), as the benchmarks do. */
  static async start(httpConfig: string, port: number, core?: number): Promise<NginxProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-nginx-'));
    const temp = (name: string) => join(dir, name);
    // As root nginx would hand its workers to `nobody`; the test keeps them as the current user.
    const user = process.getuid?.() === 0 ? `user ${userInfo().username};\n` : '';
    writeFileSync(
      temp('nginx.conf'),
      `${user}daemon off;
master_process on;
worker_processes 1;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path ${temp('client-body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};
${httpConfig}
}
`,
    );
    const command = [nginxBinary(), '-p', dir, '-c', temp('nginx.conf'), '-e', temp('error.log')];
    const pinned = core === undefined ? command : ['taskset', '-c', String(core), ...command];
    const child = spawn(pinned[0] as string, pinned.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const nginx = new NginxProcess(dir, child);
    const deadline = Date.now() + 10_000;
    while (!(await accepting(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await nginx.stop();
        throw new Error(`nginx did not start: ${output}${nginx.errorLog}`);
      }
      await new Promise((done) => setTimeout(done, 50));
    }
    return nginx;
  }

  /** Stops nginx (its master and workers) and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((done) => this.child.once('exit', done));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
