import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { requestFrom } from '../attack/support/loopback-client.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = resolve(ROOT, 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');

/** The environment every process of one test shares: the database, Redis, fast hashing. */
export type NodeEnv = Record<string, string>;

function environment(env: NodeEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TESSERA_PASSWORD_ITERATIONS: '1000',
    TESSERA_LOG_LEVEL: 'warn',
    ...env,
  };
}

/** Runs one `tessera` CLI command to completion (a separate process, as an operator would). */
export function tessera(env: NodeEnv, args: readonly string[], input = ''): string {
  const result = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: ROOT,
    env: environment(env),
    input,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`tessera ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

/** A reference-server process (`tessera serve`) on a free port. */
export class ServerNode {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly log: { text: string },
  ) {}

  /** Everything the process wrote so far (stdout and stderr), for a failing test's message. */
  get output(): string {
    return this.log.text;
  }

  static async start(env: NodeEnv): Promise<ServerNode> {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, 'serve', '--port', '0'], {
      cwd: ROOT,
      env: environment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = { text: '' };
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not start: ${log.text}`)),
        20_000,
      );
      const read = (chunk: Buffer) => {
        log.text += chunk.toString('utf8');
        const match = /tessera serving on (http:\/\/\S+)/.exec(log.text);
        if (match?.[1]) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.on('exit', (code) => reject(new Error(`server exited (${code}): ${log.text}`)));
    });
    return new ServerNode(url, child, log);
  }

  /**
   * POSTs to `path` with a token; returns the status and body. Each request has its own
   * connection: on a kept-alive one, the server's idle timeout may close it just as the next
   * request goes out (under load, a spurious "fetch failed").
   */
  async post(path: string, key: string, json?: unknown): Promise<{ status: number; body: string }> {
    const { status, body } = await requestFrom('127.0.0.1', {
      url: new URL(path, this.url).href,
      method: 'POST',
      headers: {
        Authorization: `Token ${key}`,
        ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    return { status, body };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Polls until `check` holds, failing after `deadlineMs`; returns how long it took. */
export async function within(deadlineMs: number, what: string, check: () => Promise<boolean>) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > deadlineMs) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
  return Date.now() - start;
}
