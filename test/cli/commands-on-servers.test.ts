import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { keyDigest } from '../../src/core/tokens/key-format.js';
import { openStore } from '../../src/stores/open-store.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { ALL_MIGRATIONS } from '../stores/migration-names.js';
import { type CliResult, CliSandbox } from './run-cli.js';

const MAIN = join(resolve(import.meta.dirname, '../..'), 'src/cli/main.ts');
const TSX = import.meta.resolve('tsx');
const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user alice\n$/;

/** `tessera <args>` as its own process, not waited for: two of them can run at once. */
function runConcurrently(sandbox: CliSandbox, args: readonly string[], databaseUrl: string) {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: sandbox.dir,
    env: sandbox.env({ DATABASE_URL: databaseUrl }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise<CliResult>((done) => {
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

for (const kind of ['postgres', 'mysql'] as const) {
  describe(`tessera CLI with DATABASE_URL on ${kind}`, () => {
    const databases = new FreshDatabases(kind);
    const sandbox = new CliSandbox();
    after(async () => {
      sandbox.cleanup();
      await databases.dropAll();
    });

    test('two `tessera migrate` at once on a fresh database: one applies, one finds it done', async () => {
      const { url } = await databases.create();
      const refused = sandbox.run(['users', 'list'], { env: { DATABASE_URL: url } });
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /^CommandError: The database has \d+ unapplied migration/);
      const results = await Promise.all([
        runConcurrently(sandbox, ['migrate'], url),
        runConcurrently(sandbox, ['migrate'], url),
      ]);
      for (const result of results) assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(results.map((result) => result.stdout).sort(), [
        `Running migrations:\n${ALL_MIGRATIONS.map((name) => `  Applying ${name}... OK\n`).join('')}`,
        'Running migrations:\n  No migrations to apply.\n',
      ]);
    });

    test('createsuperuser, drf_create_token, users list/deactivate/delete', async () => {
      const { url } = await databases.create();
      const run = (args: string[], input = '') =>
        sandbox.run(args, { input, env: { DATABASE_URL: url } });
      assert.equal(run(['migrate']).status, 0);
      const created = sandbox.run(['createsuperuser', '--noinput'], {
        env: {
          DATABASE_URL: url,
          TESSERA_SUPERUSER_USERNAME: 'alice',
          TESSERA_SUPERUSER_EMAIL: 'alice@example.com',
          TESSERA_SUPERUSER_PASSWORD: 'long-enough-9',
        },
      });
      assert.equal(created.stdout, 'Superuser created successfully.\n', created.stderr);
      assert.equal(
        run(['users', 'add', 'Alice', '--password-stdin'], 'pass word\n').stdout,
        'User Alice created.\n',
      );
      assert.equal(
        run(['users', 'add', 'alice']).stderr,
        'CommandError: A user with that username already exists.\n',
      );

      const issued = run(['drf_create_token', 'alice']);
      const key = KEY_LINE.exec(issued.stdout)?.[1] ?? '';
      assert.ok(key, issued.stdout + issued.stderr);
      assert.equal(run(['drf_create_token', 'alice']).status, 1);
      const store = await openStore(url);
      try {
        const match = await store.findTokenByDigest(keyDigest(key));
        assert.equal(match?.user.username, 'alice');
        assert.equal(match?.user.isSuperuser, true);
      } finally {
        await store.close();
      }

      const listed = JSON.parse(run(['users', 'list', '--json']).stdout) as { username: string }[];
      assert.deepEqual(
        listed.map((user) => user.username),
        ['alice', 'Alice'],
      );
      assert.equal(run(['users', 'deactivate', 'Alice']).stdout, 'User Alice deactivated.\n');
      assert.equal(
        run(['users', 'delete', 'alice']).stdout,
        'User alice deleted, with their tokens.\n',
      );
      const left = JSON.parse(run(['users', 'list', '--json']).stdout) as {
        username: string;
        is_active: boolean;
      }[];
      assert.deepEqual(
        left.map((user) => [user.username, user.is_active]),
        [['Alice', false]],
      );
    });

    test('tokens create/list/rotate/revoke/prune and changepassword', async () => {
      const { url } = await databases.create();
      const run = (args: string[], input = '') =>
        sandbox.run(args, { input, env: { DATABASE_URL: url } });
      assert.equal(run(['migrate']).status, 0);
      run(['users', 'add', 'alice', '--password-stdin'], 'first-password-1\n');
      const created = run(['tokens', 'create', 'alice', '--name', 'ci', '--expires-in', '30d']);
      const key = KEY_LINE.exec(created.stdout)?.[1] ?? '';
      assert.ok(key, created.stdout + created.stderr);
      assert.equal(
        run(['tokens', 'create', 'alice', '--name', 'ci']).stderr,
        'CommandError: --name: A token with this name already exists.\n',
      );
      const listed = JSON.parse(run(['tokens', 'list', '--json']).stdout) as {
        id: number;
        name: string;
      }[];
      assert.deepEqual(
        listed.map((token) => token.name),
        ['ci'],
      );
      const id = listed[0]?.id ?? 0;
      const rotated = KEY_LINE.exec(run(['tokens', 'rotate', String(id)]).stdout)?.[1] ?? '';
      const store = await openStore(url);
      try {
        assert.equal(await store.findTokenByDigest(keyDigest(key)), null);
        assert.equal((await store.findTokenByDigest(keyDigest(rotated)))?.token.id, id);
      } finally {
        await store.close();
      }
      assert.equal(run(['tokens', 'prune']).stdout, 'Deleted 0 expired token(s).\n');
      assert.equal(run(['tokens', 'revoke', String(id)]).stdout, `Revoked token ${id}.\n`);
      const changed = run(['changepassword', 'alice'], 'new-password-22\nnew-password-22\n');
      assert.equal(changed.status, 0, changed.stderr);
      assert.match(changed.stdout, /Password changed successfully for user 'alice'\n$/);
    });

    test('an unreachable server is one line on stderr, without the URL’s password', () => {
      const scheme = kind === 'postgres' ? 'postgres' : 'mysql';
      const result = sandbox.run(['users', 'list'], {
        env: {
          DATABASE_URL: `${scheme}://tessera:s3cret-pw@127.0.0.1:1/tessera`,
          TESSERA_DB_CONNECT_TIMEOUT_MS: '2000',
        },
      });
      assert.equal(result.status, 1);
      assert.match(
        result.stderr,
        /^CommandError: the database is unavailable: .*ECONNREFUSED.*\n$/,
      );
      assert.equal(result.stderr.includes('s3cret-pw'), false);
    });
  });
}
