import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CliSandbox } from './run-cli.js';

describe('commands that only read', () => {
  const sandbox = new CliSandbox();
  after(() => sandbox.cleanup());

  for (const args of [
    ['tokens', 'list'],
    ['tokens', 'list', '--json'],
    ['tokens', 'list', '--user', 'alice'],
    ['users', 'list'],
    ['users', 'list', '--json'],
  ]) {
    test(`${args.join(' ')} on a missing SQLite file names it, suggests migrate, creates nothing`, () => {
      const file = join(sandbox.dir, 'missing.sqlite3');
      const result = sandbox.run(args, { env: { DATABASE_URL: `sqlite:${file}` } });
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        `CommandError: the SQLite database ${file} does not exist; run \`tessera migrate\` to create it (or check DATABASE_URL).\n`,
      );
      assert.equal(existsSync(file), false);
    });
  }

  test('a relative path is named as an absolute one, and still not created', () => {
    const result = sandbox.run(['users', 'list'], {
      env: { DATABASE_URL: 'sqlite:./typo.sqlite3' },
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`${join(sandbox.dir, 'typo.sqlite3')} does not exist`));
    assert.equal(existsSync(join(sandbox.dir, 'typo.sqlite3')), false);
  });

  test('once migrated, they read as before', () => {
    assert.equal(sandbox.run(['migrate']).status, 0);
    const users = sandbox.run(['users', 'list', '--json']);
    assert.equal(users.status, 0, users.stderr);
    assert.equal(users.stdout, '[]\n');
    const tokens = sandbox.run(['tokens', 'list']);
    assert.equal(tokens.status, 0, tokens.stderr);
    assert.equal(tokens.stdout, '(none)\n');
  });
});
