import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CommandError } from '../../src/cli/command-error.js';
import { parseWorkers } from '../../src/cli/commands/serve.js';
import { requestFrom } from '../attack/support/loopback-client.js';
import { type NodeEnv, tessera, within } from './node-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = resolve(ROOT, 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');
const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user /;
// Well formed for the grammar, wrong for the checksum: refused without a database read.
const BAD_KEY = `tsr_${'A'.repeat(38)}`;

/** `tessera serve --workers N` on a free port, its log lines (JSON, with each process's pid). */
class Cluster {
  private constructor(
    readonly url: string,
    readonly child: ChildProcess,
    private readonly log: { text: string },
  ) {}

  get output(): string {
    return this.log.text;
  }

  /** The pids of the processes that logged a line whose message starts with `msg`. */
  pidsLogging(msg: string): Set<number> {
    const pids = new Set<number>();
    for (const line of this.log.text.split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { pid: number; msg: string };
      if (entry.msg.startsWith(msg)) pids.add(entry.pid);
    }
    return pids;
  }

  static async start(env: NodeEnv, workers: number): Promise<Cluster> {
    const child = spawn(
      process.execPath,
      ['--import', TSX, MAIN, 'serve', '--port', '0', '--workers', String(workers)],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TESSERA_PASSWORD_ITERATIONS: '1000',
          TESSERA_LOG_LEVEL: 'info',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const log = { text: '' };
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not start: ${log.text}`)), 30_000);
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
      child.on('exit', (code) => reject(new Error(`exited (${code}): ${log.text}`)));
    });
    return new Cluster(url, child, log);
  }

  async post(path: string, headers: Record<string, string>, body?: unknown) {
    return requestFrom('127.0.0.1', {
      url: new URL(path, this.url).href,
      method: 'POST',
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** SIGTERM to the primary; resolves with its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    return exited;
  }
}

/** Requests with `send` one after another until the first 429; how many came before it. */
async function answersBefore429(send: () => Promise<{ status: number }>, most: number) {
  for (let count = 0; count < most; count++) {
    const { status } = await send();
    if (status === 429) return count;
  }
  return most;
}

describe('--workers and TESSERA_WORKERS', () => {
  test('a whole number of at least 1, or auto for one per CPU', () => {
    assert.equal(parseWorkers('1'), 1);
    assert.equal(parseWorkers(' 16 '), 16);
    assert.equal(parseWorkers('AUTO'), availableParallelism());
    for (const wrong of ['0', '-1', '1.5', 'two', '']) {
      assert.throws(() => parseWorkers(wrong), CommandError, wrong);
    }
  });
});

describe('tessera serve --workers', () => {
  let directory = '';
  let env: NodeEnv;
  let key = '';
  let two: Cluster;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'tessera-workers-'));
    // The access log tells which worker answered.
    env = { DATABASE_URL: `sqlite:${join(directory, 'db.sqlite3')}`, TESSERA_ACCESS_LOG: 'on' };
    tessera(env, ['migrate']);
    tessera(env, ['users', 'add', 'alice', '--password-stdin'], 'alice-password\n');
    key = KEY_LINE.exec(tessera(env, ['drf_create_token', 'alice']))?.[1] ?? '';
    two = await Cluster.start(env, 2);
  });
  after(async () => {
    await two?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('two workers answer on one port, each its own process', async () => {
    await within(15_000, 'both workers answering', async () => {
      const { status } = await two.post('/api/build-trigger/', { Authorization: `Token ${key}` });
      assert.equal(status, 200);
      return two.pidsLogging('request').size >= 2;
    });
    const pids = two.pidsLogging('request');
    assert.ok(!pids.has(two.child.pid as number), 'the primary serves no request');
  });

  test('a key-guess limit counts the same with 1 worker or 2', async () => {
    // Each request has its own connection, so the workers share them.
    const guess = (cluster: Cluster) =>
      answersBefore429(
        () => cluster.post('/api/build-trigger/', { Authorization: `Token ${BAD_KEY}` }),
        200,
      );
    const one = await Cluster.start(env, 1);
    try {
      assert.equal(await guess(one), 60);
    } finally {
      await one.stop();
    }
    assert.equal(await guess(two), 60);
    assert.ok(two.pidsLogging('request').size >= 2, 'the guesses reached both workers');
    // A valid key from the same address is refused too, before any read.
    const { status } = await two.post('/api/build-trigger/', { Authorization: `Token ${key}` });
    assert.equal(status, 429);
  });

  test('a login failure limit counts the same with 1 worker or 2', async () => {
    // Another address's counts: the login limits are per user and address (5/min).
    const wrong = (cluster: Cluster) =>
      answersBefore429(
        () => cluster.post('/api-token-auth/', {}, { username: 'alice', password: 'wrong' }),
        50,
      );
    const one = await Cluster.start(env, 1);
    try {
      assert.equal(await wrong(one), 5);
    } finally {
      await one.stop();
    }
    assert.equal(await wrong(two), 5);
  });

  test('a killed worker is replaced', async () => {
    const before = two.pidsLogging('Server listening at');
    const [victim] = [...before];
    process.kill(victim as number, 'SIGKILL');
    await within(15_000, 'a new worker listening', async () => {
      const now = two.pidsLogging('Server listening at');
      return [...now].some((pid) => !before.has(pid));
    });
    assert.match(two.output, /worker exited; restarting/);
  });
});

describe('tessera serve --workers: a worker that cannot start', () => {
  test('is restarted after a wait that doubles each time, not in a loop', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tessera-workers-'));
    const database = join(directory, 'db.sqlite3');
    const env = { DATABASE_URL: `sqlite:${database}` };
    let cluster: Cluster | undefined;
    try {
      tessera(env, ['migrate']);
      cluster = await Cluster.start(env, 2);
      // Workers started from now on find a database without tables, and exit at start.
      rmSync(database);
      const [victim] = cluster.pidsLogging('Server listening at');
      process.kill(victim as number, 'SIGKILL');
      const restarts = () =>
        cluster?.output
          .split('\n')
          .filter((line) => line.includes('worker exited; restarting'))
          .map((line) => (JSON.parse(line) as { restartInMs: number }).restartInMs) ?? [];
      await within(20_000, 'five restarts', async () => restarts().length >= 5);
      const waits = restarts().slice(0, 5);
      assert.deepEqual(waits, [100, 200, 400, 800, 1600]);
    } finally {
      await cluster?.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('tessera serve --workers: SIGTERM', () => {
  test('a request in flight finishes, then the primary exits 0', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tessera-workers-'));
    // A costly hash makes the login slow enough to be in flight when the signal comes.
    const env = {
      DATABASE_URL: `sqlite:${join(directory, 'db.sqlite3')}`,
      TESSERA_PASSWORD_ITERATIONS: '3000000',
    };
    try {
      tessera(env, ['migrate']);
      tessera(env, ['users', 'add', 'bob', '--password-stdin'], 'bob-password\n');
      const cluster = await Cluster.start(env, 2);
      const login = cluster.post(
        '/api-token-auth/',
        {},
        { username: 'bob', password: 'bob-password' },
      );
      // The hash takes seconds; the signal comes well inside it.
      await new Promise((done) => setTimeout(done, 500));
      const code = cluster.stop();
      const answer = await login;
      assert.equal(answer.status, 200, answer.body);
      assert.match(answer.body, /"token":"tsr_/);
      assert.equal(await code, 0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
