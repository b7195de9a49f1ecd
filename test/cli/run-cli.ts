import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
// Resolved here: the CLI runs in a temporary folder, where `--import tsx` would not be found.
const TSX = import.meta.resolve('tsx');

/** What one run of the CLI printed. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temporary SQLite database and the environment that points the CLI at it. */
export class CliSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  readonly databaseUrl = `sqlite:${join(this.dir, 'db.sqlite3')}`;

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: this.databaseUrl,
      TESSERA_PASSWORD_ITERATIONS: '1000',
      ...extra,
    };
  }

  /**
   * Runs `tessera <args>` from source, with `input` on stdin (not a terminal). With `timeoutMs`,
   * a run that has not ended by then is killed and shows as a null status (a hang).
   */
  run(
    args: readonly string[],
    options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
  ) {
    const result = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd: this.dir,
      env: this.env(options.env),
      input: options.input ?? '',
      encoding: 'utf8',
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr } as CliResult;
  }

  /**
   * Runs `tessera <args>` on a pseudo-terminal (util-linux `script`), typing each answer when
   * its prompt appears. Returns everything the terminal showed.
   */
  async runOnTerminal(
    args: readonly string[],
    dialogue: readonly (readonly [prompt: string, answer: string])[],
  ): Promise<{ status: number | null; screen: string }> {
    const command = [process.execPath, '--import', TSX, MAIN, ...args]
      .map((part) => `'${part.replaceAll("'", "'\\''")}'`)
      .join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: this.dir,
      env: { ...this.env(), TERM: 'dumb' },
    });
    let screen = '';
    let step = 0;
    let searchFrom = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString('utf8');
      const next = dialogue[step];
      if (!next) return;
      const at = screen.indexOf(next[0], searchFrom);
      if (at >= 0) {
        searchFrom = at + next[0].length;
        step++;
        child.stdin.write(`${next[1]}\r`);
      }
    });
    const status = await new Promise<number | null>((done) => child.on('close', done));
    return { status, screen: screen.replaceAll('\r\n', '\n') };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
