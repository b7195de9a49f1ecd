import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CliSandbox } from './run-cli.js';

const ROOT = join(import.meta.dirname, '../..');
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

describe("tessera's exit statuses, as manage.py's", () => {
  const sandbox = new CliSandbox();
  before(() => sandbox.run(['migrate']));
  after(() => sandbox.cleanup());

  test('--version prints the package version and exits 0', () => {
    const result = sandbox.run(['--version']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${VERSION}\n`);
  });

  test('bare `tessera`, and a command group alone, print their help on stdout and exit 0', () => {
    const bare = sandbox.run([]);
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, /^Usage: tessera \[options\] \[command\]/);
    assert.match(bare.stdout, /\n {2}drf_create_token /);
    assert.equal(bare.stderr, '');
    for (const group of ['users', 'tokens']) {
      const alone = sandbox.run([group]);
      assert.equal(alone.status, 0, alone.stderr);
      assert.match(alone.stdout, new RegExp(`^Usage: tessera ${group} `));
    }
  });

  test('usage errors exit 2 with one line on stderr', () => {
    for (const args of [
      ['nope'],
      ['tokens', 'nope'],
      ['--bogus'],
      ['users', 'list', '--bogus'],
      ['drf_create_token'],
      ['users', 'add'],
      ['tokens', 'create', 'alice'],
      ['help', 'nope'],
      ['generateschema', '--format', 'nope'],
    ]) {
      const result = sandbox.run(args);
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error: /, args.join(' '));
      assert.equal(result.stdout, '', args.join(' '));
    }
  });

  test('failures print `CommandError: …` and exit 1, whatever failed', () => {
    const refused = sandbox.run(['users', 'delete', 'ghost']);
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, "CommandError: user 'ghost' does not exist\n");
    const invalid = sandbox.run(['users', 'add', 'a b']);
    assert.equal(invalid.status, 1);
    assert.match(invalid.stderr, /^CommandError: Enter a valid username\./);
    const setting = sandbox.run(['users', 'list'], { env: { TESSERA_PASSWORD_ITERATIONS: 'x' } });
    assert.equal(setting.status, 1);
    assert.match(setting.stderr, /^CommandError: TESSERA_PASSWORD_ITERATIONS must be/);
    const unavailable = sandbox.run(['users', 'list'], {
      env: { DATABASE_URL: 'postgres://tessera:hunter2@127.0.0.1:1/none' },
    });
    assert.equal(unavailable.status, 1);
    assert.match(unavailable.stderr, /^CommandError: the database is unavailable/);
    assert.ok(!unavailable.stderr.includes('hunter2'));
  });

  test('a DATABASE_URL without a scheme, or with an unknown one, is named as such', () => {
    const none = sandbox.run(['users', 'list'], { env: { DATABASE_URL: 'db.sqlite3' } });
    assert.equal(none.status, 1);
    assert.equal(
      none.stderr,
      'CommandError: DATABASE_URL has no scheme: it must start with sqlite:, postgres://, or mysql:// (e.g. sqlite:./tessera.sqlite3)\n',
    );
    const unknown = sandbox.run(['users', 'list'], {
      env: { DATABASE_URL: 'redis://user:hunter2@127.0.0.1/0' },
    });
    assert.equal(unknown.status, 1);
    assert.equal(
      unknown.stderr,
      'CommandError: DATABASE_URL: the redis: scheme is not supported (sqlite:, postgres:, mysql: are)\n',
    );
  });

  test('--help of every command and group exits 0 and says how to use it', () => {
    for (const args of [
      ['migrate'],
      ['createsuperuser'],
      ['changepassword'],
      ['drf_create_token'],
      ['users'],
      ['users', 'add'],
      ['users', 'list'],
      ['users', 'activate'],
      ['users', 'deactivate'],
      ['users', 'delete'],
      ['tokens'],
      ['tokens', 'create'],
      ['tokens', 'list'],
      ['tokens', 'rotate'],
      ['tokens', 'revoke'],
      ['tokens', 'prune'],
      ['shell'],
      ['generateschema'],
      ['serve'],
      ['runserver'],
    ]) {
      const result = sandbox.run([...args, '--help']);
      assert.equal(result.status, 0, args.join(' '));
      assert.match(result.stdout, new RegExp(`^Usage: tessera ${args.join(' ')} `));
    }
  });
});
