import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { keyDigest } from '../../src/core/tokens/key-format.js';
import { openStore } from '../../src/stores/open-store.js';
import { ALL_MIGRATIONS } from '../stores/migration-names.js';
import { CliSandbox } from './run-cli.js';

const APPLYING_ALL = ALL_MIGRATIONS.map((name) => `  Applying ${name}... OK\n`).join('');

const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user alice\n$/;

describe('tessera CLI', () => {
  const sandbox = new CliSandbox();
  after(() => sandbox.cleanup());

  test('commands refuse an unmigrated database with one clear line', () => {
    const result = sandbox.run(['drf_create_token', 'alice']);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `CommandError: The database has ${ALL_MIGRATIONS.length} unapplied migration(s): ${ALL_MIGRATIONS.join(', ')}. Run \`tessera migrate\` first.\n`,
    );
  });

  test('serve refuses an unmigrated database instead of failing requests later', () => {
    const result = sandbox.run(['serve', '--port', '0']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^CommandError: The database has \d+ unapplied migration\(s\)/);
  });

  test('migrate applies, then has nothing to apply', () => {
    const first = sandbox.run(['migrate']);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, `Running migrations:\n${APPLYING_ALL}`);
    const second = sandbox.run(['migrate']);
    assert.equal(second.stdout, 'Running migrations:\n  No migrations to apply.\n');
  });

  describe('createsuperuser --noinput', () => {
    test('reads TESSERA_SUPERUSER_* and creates a staff superuser', async () => {
      const result = sandbox.run(['createsuperuser', '--noinput'], {
        env: {
          TESSERA_SUPERUSER_USERNAME: 'alice',
          TESSERA_SUPERUSER_EMAIL: 'alice@Example.COM',
          TESSERA_SUPERUSER_PASSWORD: 'vq7-Lamp-orbit',
        },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, 'Superuser created successfully.\n');
      const store = await openStore(sandbox.databaseUrl);
      const alice = await store.getUserByUsername('alice');
      await store.close();
      assert.equal(alice?.isStaff, true);
      assert.equal(alice?.isSuperuser, true);
      assert.equal(alice?.email, 'alice@example.com');
      assert.match(alice?.password ?? '', /^pbkdf2_sha256\$1000\$/);
    });

    test('refuses a taken username, a missing username and a missing email', () => {
      const taken = sandbox.run([
        'createsuperuser',
        '--noinput',
        '--username',
        'alice',
        '--email',
        'a@b.co',
      ]);
      assert.equal(taken.status, 1);
      assert.equal(taken.stderr, 'CommandError: Error: That username is already taken.\n');
      const missing = sandbox.run(['createsuperuser', '--noinput']);
      assert.equal(missing.stderr, 'CommandError: You must use --username with --noinput.\n');
      const noEmail = sandbox.run(['createsuperuser', '--noinput', '--username', 'carol']);
      assert.equal(noEmail.stderr, 'CommandError: You must use --email with --noinput.\n');
      const invalid = sandbox.run([
        'createsuperuser',
        '--noinput',
        '--username',
        'a b',
        '--email',
        'x@y.co',
      ]);
      assert.equal(
        invalid.stderr,
        'CommandError: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.\n',
      );
    });

    test('without a password the user gets an unusable one', async () => {
      const result = sandbox.run([
        'createsuperuser',
        '--noinput',
        '--username',
        'dave',
        '--email',
        'd@x.io',
      ]);
      assert.equal(result.status, 0, result.stderr);
      const store = await openStore(sandbox.databaseUrl);
      const dave = await store.getUserByUsername('dave');
      await store.close();
      assert.match(dave?.password ?? '', /^![A-Za-z0-9]{40}$/);
    });
  });

  test('createsuperuser without a terminal skips, as Django does', () => {
    const result = sandbox.run(['createsuperuser']);
    assert.equal(result.status, 0);
    assert.equal(
      result.stdout,
      'Superuser creation skipped due to not running in a TTY. You can run `tessera createsuperuser` in your project to create one manually.\n',
    );
  });

  describe('drf_create_token', () => {
    let firstKey = '';

    test('prints exactly "Generated token <key> for user <username>"', async () => {
      const result = sandbox.run(['drf_create_token', 'alice']);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
      firstKey = KEY_LINE.exec(result.stdout)?.[1] ?? '';
      assert.ok(firstKey, result.stdout);
      const store = await openStore(sandbox.databaseUrl);
      const match = await store.findTokenByDigest(keyDigest(firstKey));
      await store.close();
      assert.equal(match?.user.username, 'alice');
      assert.equal(match?.token.kind, 'default');
      assert.deepEqual(match?.token.scopes, ['*']);
    });

    test('without -r, an existing token cannot be shown again', () => {
      const result = sandbox.run(['drf_create_token', 'alice']);
      assert.equal(result.status, 1);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        'CommandError: User alice already has a token, and tokens are stored hashed so it cannot be shown again; use -r to replace it.\n',
      );
    });

    test('-r and --reset replace the default token; the old key stops working', async () => {
      const reset = sandbox.run(['drf_create_token', '-r', 'alice']);
      assert.equal(reset.status, 0, reset.stderr);
      const secondKey = KEY_LINE.exec(reset.stdout)?.[1] ?? '';
      assert.ok(secondKey && secondKey !== firstKey);
      const long = sandbox.run(['drf_create_token', '--reset', 'alice']);
      const thirdKey = KEY_LINE.exec(long.stdout)?.[1] ?? '';
      assert.ok(thirdKey && thirdKey !== secondKey);
      const store = await openStore(sandbox.databaseUrl);
      assert.equal(await store.findTokenByDigest(keyDigest(firstKey)), null);
      assert.equal(await store.findTokenByDigest(keyDigest(secondKey)), null);
      assert.notEqual(await store.findTokenByDigest(keyDigest(thirdKey)), null);
      const alice = await store.getUserByUsername('alice');
      const tokens = await store.listTokens({ userId: alice?.id ?? -1 });
      await store.close();
      assert.equal(tokens.length, 1);
    });

    test('an unknown user is a CommandError naming the user', () => {
      const result = sandbox.run(['drf_create_token', 'nobody']);
      assert.equal(result.status, 1);
      assert.equal(
        result.stderr,
        'CommandError: Cannot create the Token: user nobody does not exist\n',
      );
    });
  });

  describe('users', () => {
    test('add with --password-stdin, list, deactivate, activate, delete', async () => {
      const add = sandbox.run(
        ['users', 'add', 'erin', '--email', 'e@x.io', '--staff', '--password-stdin'],
        {
          input: 'pass word \n',
        },
      );
      assert.equal(add.status, 0, add.stderr);
      assert.equal(add.stdout, 'User erin created.\n');
      const list = sandbox.run(['users', 'list', '--json']);
      const users = JSON.parse(list.stdout) as { username: string; is_staff: boolean }[];
      assert.deepEqual(
        users.map((u) => [u.username, u.is_staff]),
        [
          ['alice', true],
          ['dave', true],
          ['erin', true],
        ],
      );
      assert.ok(!list.stdout.includes('pbkdf2'));
      const table = sandbox.run(['users', 'list']).stdout.split('\n');
      assert.match(table[0] ?? '', /^ID\s+USERNAME\s+EMAIL\s+IS_ACTIVE/);

      assert.equal(sandbox.run(['users', 'deactivate', 'erin']).stdout, 'User erin deactivated.\n');
      let store = await openStore(sandbox.databaseUrl);
      assert.equal((await store.getUserByUsername('erin'))?.isActive, false);
      await store.close();
      assert.equal(sandbox.run(['users', 'activate', 'erin']).stdout, 'User erin activated.\n');

      sandbox.run(['drf_create_token', 'erin']);
      const removed = sandbox.run(['users', 'delete', 'erin']);
      assert.equal(removed.stdout, 'User erin deleted, with their tokens.\n');
      store = await openStore(sandbox.databaseUrl);
      assert.equal(await store.getUserByUsername('erin'), null);
      const leftovers = (await store.listTokens()).filter((t) => t.name === 'default');
      await store.close();
      assert.equal(leftovers.length, 1); // alice's only
    });

    test('the password read from stdin keeps its spaces', async () => {
      sandbox.run(['users', 'add', 'frank', '--password-stdin'], { input: ' spaced out \n' });
      const store = await openStore(sandbox.databaseUrl);
      const frank = await store.getUserByUsername('frank');
      await store.close();
      const { PasswordHasher } = await import('../../src/core/passwords/index.js');
      const hasher = new PasswordHasher({ iterations: 1000 });
      assert.equal((await hasher.check(' spaced out ', frank?.password ?? '')).valid, true);
      assert.equal((await hasher.check('spaced out', frank?.password ?? '')).valid, false);
    });

    test('unknown users and taken names are clear errors', () => {
      assert.equal(
        sandbox.run(['users', 'delete', 'ghost']).stderr,
        "CommandError: user 'ghost' does not exist\n",
      );
      const dup = sandbox.run(['users', 'add', 'alice']);
      assert.equal(dup.status, 1);
      assert.equal(dup.stderr, 'CommandError: A user with that username already exists.\n');
    });
  });

  test('changepassword reads the password twice and checks it with Django validators', async () => {
    const tooShort = sandbox.run(['changepassword', 'alice'], { input: '123\n123\n1\n2\n1\n2\n' });
    assert.equal(tooShort.status, 1);
    // Django's four validators, in Django's order, one message a line.
    assert.match(
      tooShort.stderr,
      /^This password is too short\. It must contain at least 8 characters\.\nThis password is too common\.\nThis password is entirely numeric\.\n/,
    );
    assert.match(
      tooShort.stderr,
      /CommandError: Aborting password change for user 'alice' after 3 attempts\n$/,
    );
    const ok = sandbox.run(['changepassword', 'alice'], { input: 'new-secret-1\nnew-secret-1\n' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(
      ok.stdout,
      "Changing password for user 'alice'\nPassword: \nPassword (again): \nPassword changed successfully for user 'alice'\n",
    );
    assert.ok(!ok.stdout.includes('new-secret-1'));
    const unknown = sandbox.run(['changepassword', 'ghost']);
    assert.equal(unknown.stderr, "CommandError: user 'ghost' does not exist\n");
  });

  test('every command has --help, and bad arguments are one line on stderr', () => {
    const help = sandbox.run(['--help']);
    // Exit status 3 (saved, not carried to other nodes) is told where operators look first.
    assert.match(
      help.stdout,
      /Exit status: 0 done; 1 refused or failed \(CommandError\); 2 a usage error .*\n.*; 3 the change is saved/,
    );
    for (const name of [
      'migrate',
      'createsuperuser',
      'changepassword',
      'drf_create_token',
      'users',
      'shell',
      'serve',
      'runserver',
    ]) {
      assert.match(help.stdout, new RegExp(`\\n  ${name}\\b`));
      const own = sandbox.run([name, '--help']);
      assert.equal(own.status, 0);
      assert.match(own.stdout, /^Usage: tessera /);
    }
    assert.match(
      sandbox.run(['drf_create_token', '--help']).stdout,
      /Create DRF Token for a given user/,
    );
    assert.match(
      sandbox.run(['drf_create_token', '--help']).stdout,
      /Reset existing User token and create a new one/,
    );
    for (const args of [['drf_create_token'], ['nope'], ['users', 'add'], ['runserver', 'x:y']]) {
      const bad = sandbox.run(args);
      assert.notEqual(bad.status, 0, args.join(' '));
      assert.equal(bad.stderr.trimEnd().split('\n').length, 1, bad.stderr);
      assert.ok(!bad.stderr.includes('    at '), bad.stderr);
    }
  });

  test('a bad setting is one clear line', () => {
    const result = sandbox.run(['migrate'], { env: { TESSERA_PASSWORD_ITERATIONS: 'lots' } });
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      'CommandError: TESSERA_PASSWORD_ITERATIONS must be an integer of at least 1, got "lots"\n',
    );
  });
});

describe('createsuperuser on a terminal', () => {
  const sandbox = new CliSandbox();
  before(() => sandbox.run(['migrate']));
  after(() => sandbox.cleanup());

  test('asks twice, hides the password, applies the validators and the bypass question', async () => {
    const { status, screen } = await sandbox.runOnTerminal(
      ['createsuperuser'],
      [
        ['Username', 'grace'],
        ['Email address: ', 'grace@example.com'],
        ['Password: ', 'first-try-1'],
        ['Password (again): ', 'other'],
        ['Password: ', '1234'],
        ['Password (again): ', '1234'],
        ['Bypass password validation and create user anyway? [y/N]: ', ''],
        ['Password: ', 'long-enough-9'],
        ['Password (again): ', 'long-enough-9'],
      ],
    );
    assert.equal(status, 0, screen);
    assert.match(screen, /Error: Your passwords didn't match\./);
    assert.match(
      screen,
      /This password is too short\. It must contain at least 8 characters\.\nThis password is too common\.\nThis password is entirely numeric\./,
    );
    assert.match(screen, /Superuser created successfully\./);
    for (const secret of ['first-try-1', '1234', 'long-enough-9']) {
      assert.ok(!screen.includes(secret), `the terminal echoed ${secret}`);
    }
    const store = await openStore(sandbox.databaseUrl);
    const grace = await store.getUserByUsername('grace');
    await store.close();
    assert.equal(grace?.isSuperuser, true);
  });

  test('answering y to the bypass question keeps a password the validators refuse', async () => {
    const { status, screen } = await sandbox.runOnTerminal(
      ['createsuperuser'],
      [
        ['Username', 'heidi'],
        ['Email address: ', 'heidi@example.com'],
        ['Password: ', 'heidi2026'],
        ['Password (again): ', 'heidi2026'],
        ['Bypass password validation and create user anyway? [y/N]: ', 'y'],
      ],
    );
    assert.equal(status, 0, screen);
    assert.match(screen, /The password is too similar to the username\.\n/);
    assert.match(screen, /Superuser created successfully\./);
    const store = await openStore(sandbox.databaseUrl);
    const heidi = await store.getUserByUsername('heidi');
    await store.close();
    assert.equal(heidi?.isSuperuser, true);
  });
});
