import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  buildPackage,
  childEnv,
  copyExample,
  EXAMPLES,
  npmInstall,
  ROOT,
  run,
} from '../packaging/package-build.js';
import { DRF_BODIES } from '../parity/drf-bodies.js';
import { sendRaw } from '../parity/raw-http-client.js';

const PASSWORD = 'correct-horse-battery';
// A compile (NestJS) and a cold start can take a while on a small machine; nothing waits idle.
const START_DEADLINE_MS = 180_000;

/** Starts `npm start` in its own process group; resolves with the URL it prints. */
function startExample(dir: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn('npm', ['start'], {
    cwd: dir,
    env: childEnv({ HOST: '127.0.0.1', PORT: '0', TESSERA_PASSWORD_ITERATIONS: '1000' }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" within the deadline:\n${output}`)),
      START_DEADLINE_MS,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited ${code} before listening:\n${output}`));
    });
  });
  return { child, url };
}

/** Ends the example's process group (npm and the app it started). */
async function stopExample(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

describe('examples: each starts with its README command and answers the seed curl calls', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tessera-examples-'));
  const packageDir = join(workspace, 'tessera-auth');
  before(async () => {
    await buildPackage(packageDir);
    // The linked package resolves its own dependencies from the repository's.
    symlinkSync(join(ROOT, 'node_modules'), join(packageDir, 'node_modules'), 'dir');
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  describe('every example', { concurrency: true }, () => {
    for (const name of EXAMPLES) {
      test(`examples/${name}: npm install && npm start → 401, 200, {"token":…}`, async () => {
        const dir = join(workspace, name);
        copyExample(name, dir, packageDir);
        await npmInstall(dir);
        const { child, url } = startExample(dir);
        try {
          const baseUrl = await url;
          // The seed's flow: a user, then `tessera drf_create_token` prints their key.
          const tessera = join(dir, 'node_modules/tessera-auth/dist/cli/main.js');
          const env = childEnv({ TESSERA_PASSWORD_ITERATIONS: '1000' });
          await run(process.execPath, [tessera, 'users', 'add', 'alice', '--password-stdin'], {
            cwd: dir,
            env,
            input: `${PASSWORD}\n`,
          });
          const created = await run(process.execPath, [tessera, 'drf_create_token', 'alice'], {
            cwd: dir,
            env,
          });
          const key = /^Generated token (tsr_\w+) for user alice$/m.exec(created.stdout)?.[1];
          assert.ok(key, created.stdout);

          const anonymous = await sendRaw(baseUrl, { method: 'POST', path: '/api/build-trigger/' });
          assert.equal(anonymous.status, 401);
          assert.equal(anonymous.headers['www-authenticate'], 'Token');
          assert.equal(anonymous.body, DRF_BODIES.notAuthenticated);

          const triggered = await sendRaw(baseUrl, {
            method: 'POST',
            path: '/api/build-trigger/',
            headers: { Authorization: `Token ${key}` },
          });
          assert.equal(triggered.status, 200);
          assert.equal(triggered.body, '');

          // Exact paths, as DRF's router matches them (NestJS's router decides otherwise).
          if (name !== 'nest') {
            for (const path of ['/api/build-trigger', '/API/build-trigger/']) {
              const elsewhere = await sendRaw(baseUrl, {
                method: 'POST',
                path,
                headers: { Authorization: `Token ${key}` },
              });
              assert.equal(elsewhere.status, 404, `${path}: ${elsewhere.body}`);
            }
          }

          const login = await sendRaw(baseUrl, {
            method: 'POST',
            path: '/api-token-auth/',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: `username=alice&password=${PASSWORD}`,
          });
          assert.equal(login.status, 200);
          assert.equal(login.headers['content-type'], 'application/json');
          assert.match(login.body, /^\{"token":"tsr_[0-9A-Za-z]{38}"\}$/);
        } finally {
          await stopExample(child);
        }
      });
    }
  });
});
