// Every TypeScript block and terminal session of README.md and docs/*.md, run as a user would
// run it: against the packed tarball, in a fresh ESM project ("type": "module").
//
// Conventions for the blocks of the docs:
// - A ```ts (or ```typescript) block is a whole ES module: imports, top-level `await`, no names
//   from another block. It is type-checked strictly (NodeNext), then run with node in a folder of
//   its own, so `./tessera.sqlite3` is its own database. A block that imports `tessera-auth/nest`
//   is compiled with `experimentalDecorators` and `emitDecoratorMetadata`, as the docs say Nest
//   needs.
// - A block that reads `process.env.PORT` is a server. The test sets PORT to a free port, waits
//   until it answers, then walks the seed's flow through it: `POST /api/build-trigger/` without
//   credentials is 401 with `WWW-Authenticate: Token`; a user and a `drf_create_token` key made
//   with the `tessera` command in its folder get 200; if the block mounts `/api-token-auth/`,
//   the user's password there gets `{"token": …}`. Then the test stops it (SIGTERM).
// - Any other block must exit 0 by itself.
// - A ```console, ```sh or ```shell block with lines starting `$ ` is a session: each `$ `
//   command runs in order in one fresh folder of the project, where `tessera` and `npx tessera`
//   are the packed package's. The lines after a command are output it must print, in that order
//   (other lines may come between them); `…` in them matches anything. A command ending in `&`
//   is a server: the test waits until PORT answers and stops it at the end. The test sets PORT
//   to a free port and reads `127.0.0.1:8000` in the commands as that port, and `tsr_…` in a
//   command as the key the session printed last.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ts from 'typescript';
import { createPackedProject, type PackedProject } from '../package/packed-project.js';
import { type CodeBlock, documentationPages, readPage } from './markdown.js';

const blocks = documentationPages().flatMap((path) => readPage(path).blocks);
const typescriptBlocks = blocks.filter((block) => ['ts', 'typescript'].includes(block.language));
const sessions = blocks.filter(
  (block) =>
    ['console', 'sh', 'shell', 'bash'].includes(block.language) && /^\$ /m.test(block.code),
);

/** The packages the snippets import, linked into the project from this repository. */
const DEPENDENCIES = [
  'typescript',
  '@types/node',
  '@types/express',
  'fastify',
  'express',
  'hono',
  '@hono/node-server',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  'reflect-metadata',
  'rxjs',
];

const COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  skipLibCheck: true,
  types: ['node'],
};

const PASSWORD = 'correct-horse-battery';
const KEY = /tsr_[0-9A-Za-z]{38}/;

const usesNest = (block: CodeBlock) => block.code.includes("from 'tessera-auth/nest'");
const isServer = (block: CodeBlock) => block.code.includes('process.env.PORT');

test('the docs have TypeScript blocks and a terminal session to run', () => {
  assert.ok(typescriptBlocks.length >= 6, `${typescriptBlocks.length} TypeScript blocks`);
  assert.ok(
    sessions.some((session) => session.origin.startsWith('README.md:')),
    'README.md has a $ session',
  );
});

test('every TypeScript block of the docs is well-formed TypeScript', () => {
  const broken: string[] = [];
  for (const block of typescriptBlocks) {
    const output = ts.transpileModule(block.code, {
      reportDiagnostics: true,
      compilerOptions: { experimentalDecorators: true, module: ts.ModuleKind.ESNext },
    });
    for (const diagnostic of output.diagnostics ?? []) {
      broken.push(
        `${block.origin}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
      );
    }
  }
  assert.deepEqual(broken, []);
});

/** A port no one listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function environment(project: PackedProject, port: number): NodeJS.ProcessEnv {
  const {
    NODE_TEST_CONTEXT: _context,
    DATABASE_URL: _database,
    REDIS_URL: _redis,
    ...env
  } = process.env;
  return {
    ...env,
    PORT: String(port),
    PATH: [join(project.dir, 'node_modules', '.bin'), env.PATH ?? ''].join(delimiter),
  };
}

interface Finished {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command to its end; its output is stdout, then stderr from a new line. */
function runToEnd(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<Finished> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const separator = stdout === '' || stdout.endsWith('\n') ? '' : '\n';
      resolveRun({ code, output: stdout + separator + stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A long-running process and everything it printed so far. */
interface Running {
  readonly child: ChildProcess;
  output(): string;
}

function start(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Running {
  // A group of its own: `npx tessera serve` runs the server in a child of npx, stopped with it.
  const child = spawn(command, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  return { child, output: () => output };
}

async function stop(running: Running): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // The group has ended already.
    }
  };
  signalGroup('SIGTERM');
  const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Waits until something answers HTTP on the port, or the process ends. */
async function waitForServer(running: Running, port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) {
      assert.fail(`it exited ${running.child.exitCode} before serving:\n${running.output()}`);
    }
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
  }
  assert.fail(`nothing answered on port ${port} within 60 s:\n${running.output()}`);
}

describe('the docs, run against the packed tarball', { concurrency: false }, () => {
  let project: PackedProject;
  const folderOf = new Map<CodeBlock, string>();
  let compileErrors = new Map<string, string[]>();

  before(async () => {
    const files: Record<string, string> = {};
    typescriptBlocks.forEach((block, index) => {
      const folder = `${usesNest(block) ? 'decorated' : 'plain'}/block-${index}`;
      folderOf.set(block, folder);
      files[`${folder}/snippet.ts`] = `${block.code}\n`;
    });
    const tsconfig = (include: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ compilerOptions: { ...COMPILER_OPTIONS, ...extra }, include: [include] });
    files['tsconfig.plain.json'] = tsconfig('plain');
    files['tsconfig.decorated.json'] = tsconfig('decorated', {
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    });
    project = await createPackedProject({ dependencies: DEPENDENCIES, files });
    linkBin(project);
    compileErrors = new Map();
    for (const config of ['tsconfig.plain.json', 'tsconfig.decorated.json']) {
      const result = await project.exec(
        process.execPath,
        ['node_modules/typescript/bin/tsc', '-p', config],
        { timeoutMs: 300_000 },
      );
      for (const line of result.stdout.split('\n')) {
        const folder = /^((?:plain|decorated)\/block-\d+)\//.exec(line)?.[1];
        if (!folder) continue;
        compileErrors.set(folder, [...(compileErrors.get(folder) ?? []), line]);
      }
    }
  });
  after(() => project?.cleanup());

  for (const [index, block] of typescriptBlocks.entries()) {
    test(`${block.origin}: type-checks and ${isServer(block) ? 'serves the seed flow' : 'runs'}`, {
      timeout: 180_000,
    }, async () => {
      const folder = folderOf.get(block) ?? `block-${index}`;
      assert.deepEqual(compileErrors.get(folder) ?? [], [], `${block.origin} does not compile`);
      const cwd = join(project.dir, folder);
      const port = await freePort();
      const env = environment(project, port);
      if (!isServer(block)) {
        const { code, output } = await runToEnd(process.execPath, ['snippet.js'], { cwd, env });
        assert.equal(code, 0, output);
        return;
      }
      const running = start(process.execPath, ['snippet.js'], cwd, env);
      try {
        await waitForServer(running, port);
        await walkSeedFlow(block, cwd, env, port, running);
      } finally {
        await stop(running);
      }
    });
  }

  for (const session of sessions) {
    test(`${session.origin}: the terminal session prints what the docs say`, {
      timeout: 300_000,
    }, async () => {
      const cwd = join(project.dir, `session-${session.origin.replace(/[^\w]+/g, '-')}`);
      mkdirSync(cwd, { recursive: true });
      await runSession(session, cwd, environment(project, await freePort()));
    });
  }
});

/** What npm does for a package's "bin" on install: node_modules/.bin/tessera. */
function linkBin(project: PackedProject): void {
  const installed = join(project.dir, 'node_modules', 'tessera-auth');
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  for (const [name, target] of Object.entries(manifest.bin)) {
    const link = join(project.dir, 'node_modules', '.bin', name);
    mkdirSync(dirname(link), { recursive: true });
    if (!existsSync(link)) symlinkSync(join('..', 'tessera-auth', target), link);
    chmodSync(join(installed, target), 0o755); // tsc writes no execute bit; npm sets it
  }
}

async function tessera(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<string> {
  const { code, output } = await runToEnd('tessera', args, {
    cwd,
    env,
    ...(input === undefined ? {} : { input }),
  });
  assert.equal(code, 0, `tessera ${args.join(' ')}: ${output}`);
  return output;
}

async function walkSeedFlow(
  block: CodeBlock,
  cwd: string,
  env: NodeJS.ProcessEnv,
  port: number,
  running: Running,
): Promise<void> {
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  const anonymous = await fetch(url('/api/build-trigger/'), { method: 'POST' });
  assert.equal(anonymous.status, 401, running.output());
  assert.equal(anonymous.headers.get('www-authenticate'), 'Token');
  assert.deepEqual(await anonymous.json(), {
    detail: 'Authentication credentials were not provided.',
  });

  await tessera(['users', 'add', 'alice', '--password-stdin'], cwd, env, `${PASSWORD}\n`);
  const printed = await tessera(['drf_create_token', 'alice'], cwd, env);
  const key = KEY.exec(printed)?.[0];
  assert.ok(key, printed);
  const allowed = await fetch(url('/api/build-trigger/'), {
    method: 'POST',
    headers: { authorization: `Token ${key}` },
  });
  assert.equal(allowed.status, 200, `${await allowed.text()}\n${running.output()}`);

  if (block.code.includes('/api-token-auth/')) {
    const login = await fetch(url('/api-token-auth/'), {
      method: 'POST',
      body: new URLSearchParams({ username: 'alice', password: PASSWORD }),
    });
    assert.equal(login.status, 200, running.output());
    const { token } = (await login.json()) as { token: string };
    assert.match(token, new RegExp(`^${KEY.source}$`));
  }
}

/** A line of expected output as a pattern: `…` matches anything, `tsr_…` a key (captured). */
function outputPattern(line: string): RegExp {
  const parts = line.trimEnd().split(/(tsr_…|…)/);
  const source = parts
    .map((part) =>
      part === 'tsr_…'
        ? `(${KEY.source})`
        : part === '…'
          ? '.*?'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

async function runSession(session: CodeBlock, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const steps: { command: string; expected: string[] }[] = [];
  for (const line of session.code.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
    else if (line.trim() !== '') steps.at(-1)?.expected.push(line);
  }
  const port = Number(env.PORT);
  const servers: Running[] = [];
  let key: string | undefined;
  try {
    for (const step of steps) {
      let command = step.command.replaceAll('127.0.0.1:8000', `127.0.0.1:${port}`);
      if (command.includes('tsr_…')) {
        assert.ok(key, `${step.command}: no key was printed before it`);
        command = command.replaceAll('tsr_…', key);
      }
      if (command.trimEnd().endsWith('&')) {
        const server = start('bash', ['-c', `exec ${command.trimEnd().slice(0, -1)}`], cwd, env);
        servers.push(server);
        await waitForServer(server, port);
        continue;
      }
      const { code, output } = await runToEnd('bash', ['-c', command], { cwd, env });
      assert.equal(code, 0, `$ ${step.command}\n${output}`);
      const lines = output.split('\n').map((line) => line.replace(/\r$/, '').trimEnd());
      let from = 0;
      for (const expected of step.expected) {
        const pattern = outputPattern(expected);
        const at = lines.findIndex((line, index) => index >= from && pattern.test(line));
        assert.ok(at >= 0, `$ ${step.command}\nexpected the line ${expected}\ngot:\n${output}`);
        key = pattern.exec(lines[at] as string)?.[1] ?? key;
        from = at + 1;
      }
    }
  } finally {
    for (const server of servers) await stop(server);
  }
}
