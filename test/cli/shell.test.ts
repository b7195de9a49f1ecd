import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FreshDatabases } from '../stores/fresh-database.js';
import { CliSandbox } from './run-cli.js';

// Far above a shell's run (a second or two): a hang shows as a null status, not a stuck suite.
const HANG = 30_000;

describe('tessera shell with piped input', () => {
  const sandbox = new CliSandbox();
  before(() => sandbox.run(['migrate']));
  after(() => sandbox.cleanup());

  test('an evaluated error is printed, the shell goes on, and exits 0', () => {
    const result = sandbox.run(['shell'], {
      input: "await tokens.create('nobody')\nthrow new Error('plain')\n1 + 1\n",
      timeoutMs: HANG,
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Uncaught CommandError: user 'nobody' does not exist/);
    assert.match(result.stdout, /Uncaught Error: plain/);
    assert.match(result.stdout, /tessera> 2\n/);
  });

  test('a last line whose await rejects ends the shell with status 0', () => {
    const result = sandbox.run(['shell'], {
      input: "await tokens.list('nobody')\n",
      timeoutMs: HANG,
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Uncaught CommandError: user 'nobody' does not exist/);
  });

  test('a refused password is reported without the password', () => {
    const result = sandbox.run(['shell'], {
      input: "await users.create({ username: 'quinn', password: 'quinn2026' })\n",
      timeoutMs: HANG,
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /The password is too similar to the username\./);
    assert.ok(!(result.stdout + result.stderr).includes('quinn2026'));
  });

  test('each line runs after the previous one has finished, in order', () => {
    const result = sandbox.run(['shell'], {
      input: [
        "await new Promise((resolve) => setTimeout(resolve, 300)); console.log('first')",
        "console.log('second')",
        'const double = (n) =>',
        '  n * 2',
        'double(21)',
      ].join('\n'),
      timeoutMs: HANG,
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.ok(result.stdout.indexOf('first') < result.stdout.indexOf('second'), result.stdout);
    assert.match(result.stdout, /tessera> 42\n/);
  });

  test('on a terminal, an error is printed and the shell goes on, then exits 0', async () => {
    const { status, screen } = await sandbox.runOnTerminal(
      ['shell'],
      [
        ['tessera> ', "await tokens.create('nobody')"],
        ['tessera> ', '6 * 7'],
        ['tessera> ', '.exit'],
      ],
    );
    assert.equal(status, 0, screen);
    assert.match(screen, /Uncaught CommandError: user 'nobody' does not exist/);
    assert.match(screen, /\n42\n/);
  });

  test('.exit ends the shell at once, leaving later lines unread', () => {
    const result = sandbox.run(['shell'], {
      input: "console.log('before')\n.exit\nconsole.log('after')\n",
      timeoutMs: HANG,
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /before/);
    assert.doesNotMatch(result.stdout, /after/);
  });
});

for (const kind of ['postgres', 'mysql'] as const) {
  describe(`tessera shell on ${kind}`, () => {
    const databases = new FreshDatabases(kind);
    const sandbox = new CliSandbox();
    after(async () => {
      sandbox.cleanup();
      await databases.dropAll();
    });

    test('a last rejected await does not hold the pool open: the shell exits 0', async () => {
      const { url } = await databases.create();
      assert.equal(sandbox.run(['migrate'], { env: { DATABASE_URL: url } }).status, 0);
      const result = sandbox.run(['shell'], {
        input: "await tokens.list()\nawait tokens.create('nobody')\n",
        env: { DATABASE_URL: url },
        timeoutMs: HANG,
      });
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /tessera> \[\]\n/);
      assert.match(result.stdout, /Uncaught CommandError: user 'nobody' does not exist/);
    });
  });
}
