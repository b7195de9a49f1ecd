import { execFileSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Which app a throughput server runs. */
export interface ThroughputServerConfig {
  readonly framework: 'fastify' | 'express' | 'hono';
  /** A PostgreSQL URL; without one, a fresh SQLite file. */
  readonly databaseUrl?: string;
  /** The server's `tokenCacheSeconds` (null: no cache). */
  readonly tokenCacheSeconds: number | null;
  /** Fastify only: a route behind `@fastify/bearer-auth` with a static key set. */
  readonly bearerAuth?: boolean;
  /** Fastify only: where better-auth is installed, for a route behind its API-key check. */
  readonly betterAuthPeers?: string;
  /**
   * `tessera serve` as shipped instead: every setting its default (no `TESSERA_*` variable is
   * read; SQLite at `./tessera.sqlite3` in a fresh directory), served by `serve()` as the CLI does,
   * its log lines on stdout (here /dev/null). `accessLog` (and `logLevel`) alone may be changed,
   * to measure what the per-request line costs. The bare route is a plain Fastify app in the same
   * process. `databaseUrl` and `tokenCacheSeconds` are then ignored.
   */
  readonly shipped?: { readonly logLevel?: string; readonly accessLog?: boolean };
}

/** One route of a throughput server and the request wrk sends it. */
export interface ServedRoute {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What the server process reports once it listens. */
export interface ThroughputServerReady {
  readonly url: string;
  /** `tessera` and `bare`, and `bearer-auth` or `better-auth` when configured. */
  readonly routes: Readonly<Record<string, ServedRoute>>;
}

/** A running throughput server, pinned to one core. */
export interface ThroughputServer extends ThroughputServerReady {
  readonly pid: number;
  close(): Promise<void>;
}

// The server runs from the same place as this file: compiled JavaScript under bench/.build
// (`npm run bench`), or TypeScript through tsx.
const compiled = import.meta.url.endsWith('.js');

/**
 * Starts a throughput server in its own process and pins it (every thread) to `core`, so the load
 * generator, on another core, never takes its CPU. `nodeOptions` go to its `node` (`--cpu-prof`).
 */
export function startThroughputServer(
  config: ThroughputServerConfig,
  core: number,
  nodeOptions: readonly string[] = [],
): Promise<ThroughputServer> {
  const entry = compiled ? './throughput-server-process.js' : './throughput-server-process.ts';
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), {
    execArgv: [...(compiled ? [] : ['--import', 'tsx']), ...nodeOptions],
    env: { ...process.env, TESSERA_THROUGHPUT_SERVER: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const pid = child.pid as number;
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`throughput server exited with ${code}`)));
    child.once('message', (message) => {
      const ready = message as ThroughputServerReady;
      // Threads started after the first pinning (libuv's pool, V8's helpers) inherit it, but
      // pinning again once the server listens costs nothing and covers any that did not.
      execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
      resolve({
        ...ready,
        pid,
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.disconnect();
          }),
      });
    });
  });
}
