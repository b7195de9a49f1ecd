import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import { openStore } from '../../src/stores/open-store.js';
import { CliSandbox } from './run-cli.js';

const QUESTION = "Type 'yes' to continue, or 'no' to cancel: ";

describe('questions asked on a terminal', () => {
  const sandbox = new CliSandbox();
  before(() => {
    sandbox.run(['migrate']);
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      sandbox.run(['users', 'add', name]);
      sandbox.run(['tokens', 'create', name, '--name', 'ci']);
      sandbox.run(['tokens', 'create', name, '--name', 'cd']);
    }
  });
  after(() => sandbox.cleanup());

  async function tokenCount(username: string): Promise<number> {
    const store = await openStore(sandbox.databaseUrl);
    try {
      const user = await store.getUserByUsername(username);
      return user ? (await store.listTokens({ userId: user.id })).length : -1;
    } finally {
      await store.close();
    }
  }

  async function userExists(username: string): Promise<boolean> {
    const store = await openStore(sandbox.databaseUrl);
    try {
      return (await store.getUserByUsername(username)) !== null;
    } finally {
      await store.close();
    }
  }

  test('users add --password-stdin on a terminal reads the password without echo', async () => {
    const secret = 'tty-secret-pass-9';
    const { status, screen } = await sandbox.runOnTerminal(
      ['users', 'add', 'erin', '--password-stdin'],
      [['Password: ', secret]],
    );
    assert.equal(status, 0, screen);
    assert.match(screen, /User erin created\./);
    assert.ok(!screen.includes(secret), `the terminal echoed the password: ${screen}`);
    const store = await openStore(sandbox.databaseUrl);
    const erin = await store.getUserByUsername('erin');
    await store.close();
    const hasher = new PasswordHasher({ iterations: 1000 });
    assert.equal((await hasher.check(secret, erin?.password ?? '')).valid, true);
  });

  test("tokens revoke --all asks Django's question; anything but yes cancels", async () => {
    const no = await sandbox.runOnTerminal(
      ['tokens', 'revoke', '--user', 'alice', '--all'],
      [[QUESTION, 'no']],
    );
    assert.equal(no.status, 0, no.screen);
    assert.match(
      no.screen,
      /You have requested to revoke every token of user alice \(2 token\(s\)\)\./,
    );
    assert.match(no.screen, /Revocation cancelled\./);
    assert.equal(await tokenCount('alice'), 2);
    const y = await sandbox.runOnTerminal(
      ['tokens', 'revoke', '--user', 'alice', '--all'],
      [[QUESTION, 'y']],
    );
    assert.match(y.screen, /Revocation cancelled\./);
    assert.equal(await tokenCount('alice'), 2);
    const yes = await sandbox.runOnTerminal(
      ['tokens', 'revoke', '--user', 'alice', '--all'],
      [[QUESTION, 'yes']],
    );
    assert.equal(yes.status, 0, yes.screen);
    assert.match(yes.screen, /Revoked 2 token\(s\) of user alice\./);
    assert.equal(await tokenCount('alice'), 0);
  });

  test("users delete asks Django's question; yes deletes", async () => {
    const no = await sandbox.runOnTerminal(['users', 'delete', 'bob'], [[QUESTION, 'no']]);
    assert.equal(no.status, 0, no.screen);
    assert.match(no.screen, /You have requested to delete user bob and their 2 token\(s\)\./);
    assert.match(no.screen, /Deletion cancelled\./);
    assert.equal(await userExists('bob'), true);
    const yes = await sandbox.runOnTerminal(['users', 'delete', 'bob'], [[QUESTION, 'yes']]);
    assert.equal(yes.status, 0, yes.screen);
    assert.match(yes.screen, /User bob deleted, with their tokens\./);
    assert.equal(await userExists('bob'), false);
  });

  test('--noinput and --no-input ask nothing on a terminal', async () => {
    const revoke = await sandbox.runOnTerminal(
      ['tokens', 'revoke', '--user', 'carol', '--all', '--noinput'],
      [],
    );
    assert.equal(revoke.status, 0, revoke.screen);
    assert.ok(!revoke.screen.includes(QUESTION), revoke.screen);
    assert.equal(await tokenCount('carol'), 0);
    const remove = await sandbox.runOnTerminal(['users', 'delete', 'carol', '--no-input'], []);
    assert.equal(remove.status, 0, remove.screen);
    assert.ok(!remove.screen.includes(QUESTION), remove.screen);
    assert.equal(await userExists('carol'), false);
  });

  test('without a terminal nothing is asked, as before (scripts keep working)', async () => {
    const revoke = sandbox.run(['tokens', 'revoke', '--user', 'dave', '--all']);
    assert.equal(revoke.status, 0, revoke.stderr);
    assert.equal(revoke.stdout, 'Revoked 2 token(s) of user dave.\n');
    const remove = sandbox.run(['users', 'delete', 'dave']);
    assert.equal(remove.status, 0, remove.stderr);
    assert.equal(remove.stdout, 'User dave deleted, with their tokens.\n');
  });
});
