// Benchmark: `tessera serve --workers 2` as shipped (SQLite, every other setting its default)
// against Django REST Framework under `gunicorn -w 2` (sync workers, SQLite: scripts/drf/), on
// the same machine, the same request: POST /api/build-trigger/ with a valid key. wrk -t1 -c32,
// pinned to core 1 (the servers' processes are not pinned: each side has both cores), rounds
// interleaved; the figure is the median of the per-round ratios.
// Needs Debian's DRF: apt-get install python3-django python3-djangorestframework gunicorn
// Run: node --import tsx bench/workers-vs-drf.ts   (BENCH_ROUNDS, BENCH_SECONDS, BENCH_WORKERS)
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchDirectory } from './bench-directory.js';
import { interleavedLoad, pairedRatio, runsOf } from './interleaved-load.js';
import type { ThroughputServer } from './throughput-server.js';
import { ensureWrk } from './wrk.js';

const ROOT = resolve(benchDirectory(), '..');
const DRF_APP = join(ROOT, 'scripts/drf');
const PYTHON = '/usr/bin/python3';
// The CLI from its sources, compiled or not: both sides start as an operator starts them.
const CLI = join(ROOT, 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');
const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user /;

/** Options of `workersVersusDrf`. */
export interface WorkersVersusDrfOptions {
  readonly rounds?: number;
  readonly seconds?: number;
  /** Processes on each side (tessera's workers, gunicorn's). Default 2. */
  readonly workers?: number;
}

/** What `workersVersusDrf` measured. */
export interface WorkersVersusDrfFigures {
  readonly tesseraRps: number;
  readonly drfRps: number;
  /** Median of the per-round ratios tessera / DRF. */
  readonly ratio: number;
  readonly ratios: readonly number[];
}

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function answering(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode})`);
    try {
      await (await fetch(url, { method: 'POST' })).arrayBuffer();
      return;
    } catch {
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
  throw new Error(`${what} did not start at ${url}`);
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** A server started as a process of its own, in the shape `interleavedLoad` takes. */
function served(child: ChildProcess, url: string, key: string, keyword: string): ThroughputServer {
  return {
    url,
    pid: child.pid as number,
    routes: {
      build: { path: '/api/build-trigger/', headers: { Authorization: `${keyword} ${key}` } },
    },
    close: () => stopped(child),
  };
}

async function startDrf(dir: string, workers: number): Promise<ThroughputServer> {
  const env = { ...process.env, DRF_DIFF_DB: join(dir, 'drf.sqlite3'), PYTHONPATH: DRF_APP };
  const keys = JSON.parse(
    execFileSync(PYTHON, [join(DRF_APP, 'drf_app.py'), 'setup'], { env, encoding: 'utf8' }),
  ) as Record<string, string>;
  const port = await freePort();
  const child = spawn(
    'gunicorn',
    ['-b', `127.0.0.1:${port}`, '--workers', String(workers), 'drf_app:application'],
    { env, stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  await answering(`${url}/api/build-trigger/`, child, 'gunicorn');
  return served(child, url, keys.alice as string, 'Token');
}

async function startTessera(dir: string, workers: number): Promise<ThroughputServer> {
  // As shipped: no TESSERA_* variable, the default SQLite file in a fresh directory.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const cli = (args: string[], input = '') =>
    execFileSync(process.execPath, ['--import', TSX, CLI, ...args], {
      cwd: dir,
      env,
      input,
      encoding: 'utf8',
    });
  cli(['migrate']);
  cli(['users', 'add', 'alice', '--password-stdin'], 'alice-password\n');
  const key = KEY_LINE.exec(cli(['drf_create_token', 'alice']))?.[1];
  if (!key) throw new Error('no key printed');
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', TSX, CLI, 'serve', '--port', String(port), '--workers', String(workers)],
    { cwd: dir, env, stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  await answering(`${url}/api/build-trigger/`, child, 'tessera serve');
  return served(child, url, key, 'Token');
}

/** Runs the comparison and returns its figures (it prints nothing). */
export async function workersVersusDrf(
  options: WorkersVersusDrfOptions = {},
): Promise<WorkersVersusDrfFigures> {
  ensureWrk();
  execFileSync(PYTHON, ['-c', 'import django, rest_framework'], { stdio: 'ignore' });
  const workers = options.workers ?? 2;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-workers-drf-'));
  const servers: ThroughputServer[] = [];
  try {
    const drf = await startDrf(dir, workers);
    servers.push(drf);
    const tessera = await startTessera(dir, workers);
    servers.push(tessera);
    const results = await interleavedLoad(
      [
        { label: 'tessera', server: tessera, route: 'build' },
        { label: 'drf', server: drf, route: 'build' },
      ],
      {
        rounds: options.rounds ?? 3,
        seconds: options.seconds ?? 5,
        warmupSeconds: 2,
        connections: 32,
        loadCore: 1,
      },
    );
    const ours = runsOf(results, 'tessera');
    const theirs = runsOf(results, 'drf');
    const ratio = pairedRatio(ours, theirs);
    const mean = (runs: typeof ours) =>
      runs.runs.reduce((sum, run) => sum + run.rps, 0) / runs.runs.length;
    return {
      tesseraRps: mean(ours),
      drfRps: mean(theirs),
      ratio: ratio.median,
      ratios: ratio.ratios,
    };
  } finally {
    await Promise.all(servers.map((server) => server.close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const workers = Number(process.env.BENCH_WORKERS ?? 2);
  const figures = await workersVersusDrf({
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    workers,
  });
  console.log(
    `tessera serve --workers ${workers} vs DRF + gunicorn -w ${workers} (sync, SQLite), POST /api/build-trigger/, wrk -t1 -c32 (node ${process.version})`,
  );
  console.log(`tessera ${figures.tesseraRps.toFixed(0).padStart(8)} req/s`);
  console.log(`DRF     ${figures.drfRps.toFixed(0).padStart(8)} req/s`);
  console.log(
    `ratio   ${figures.ratio.toFixed(1).padStart(8)}x  (rounds: ${figures.ratios.map((r) => r.toFixed(1)).join(', ')}; goal >= 25x)`,
  );
}
