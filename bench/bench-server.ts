import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the benchmark server is built with. */
export interface BenchServerConfig {
  /** PBKDF2 iterations of new hashes (the server's `TESSERA_PASSWORD_ITERATIONS`). */
  readonly iterations: number;
  /** Iterations of user `olga`'s stored hash, an older and cheaper one. */
  readonly olderIterations: number;
  /** Settings over the defaults, e.g. `{ passwordConcurrency: 1 }` to compare. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** What the server process reports once it listens. */
export interface BenchServerReady {
  readonly url: string;
  /** A valid key of user `alice` (password `alice-password`). */
  readonly key: string;
}

/** A running benchmark server: users `alice` and `olga`, throttling off. */
export interface BenchServer extends BenchServerReady {
  close(): Promise<void>;
}

/**
 * Starts the reference server in a child process (so the load generator never shares its event
 * loop) on a fresh SQLite file, with users `alice` (and a key) and `olga` (an older hash).
 */
export function startBenchServer(config: BenchServerConfig): Promise<BenchServer> {
  // Compiled (`npm run bench`, under bench/.build) the server is JavaScript; else tsx runs it.
  const compiled = import.meta.url.endsWith('.js');
  const entry = compiled ? './bench-server-process.js' : './bench-server-process.ts';
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), {
    execArgv: compiled ? [] : ['--import', 'tsx'],
    env: { ...process.env, TESSERA_BENCH_SERVER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.once('message', (message) => {
      const ready = message as BenchServerReady;
      resolve({
        ...ready,
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
