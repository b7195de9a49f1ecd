import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CliSandbox } from '../cli/run-cli.js';

const TOO_SHORT = 'This password is too short. It must contain at least 8 characters.';
const COMMON = 'This password is too common.';
const NUMERIC = 'This password is entirely numeric.';
const SIMILAR_USERNAME = 'The password is too similar to the username.';
const SIMILAR_EMAIL = 'The password is too similar to the email address.';

/**
 * Finding 12: a careless operator sets weak passwords through every CLI path, each a separate
 * process. Django's four default validators refuse them with Django's texts; the only bypass is
 * where Django has one (createsuperuser).
 */
describe('weak passwords set from the CLI', () => {
  const sandbox = new CliSandbox();

  before(() => {
    assert.equal(sandbox.run(['migrate']).status, 0);
    assert.equal(
      sandbox.run(['users', 'add', 'alice', '--email', 'alice.smith@example.com']).status,
      0,
    );
  });
  after(() => sandbox.cleanup());

  function usernames(): string[] {
    return JSON.parse(sandbox.run(['users', 'list', '--json']).stdout).map(
      (user: { username: string }) => user.username,
    );
  }

  for (const [password, messages] of [
    ['123', [TOO_SHORT, COMMON, NUMERIC]],
    ['password', [COMMON]],
    [' Password1 ', [COMMON]],
    ['mallory2026', [SIMILAR_USERNAME]],
    ['yahoo.com', [SIMILAR_EMAIL, COMMON]],
    ['82649137', [NUMERIC]],
  ] as const) {
    it(`users add --password-stdin refuses ${JSON.stringify(password)}`, () => {
      const result = sandbox.run(
        ['users', 'add', 'mallory', '--email', 'mallory@yahoo.com', '--password-stdin'],
        { input: `${password}\n` },
      );
      assert.equal(result.status, 1, result.stderr);
      // Exactly Django's messages: the password itself is never echoed.
      assert.equal(result.stderr, `CommandError: ${messages.join('; ')}\n`);
      assert.ok(!usernames().includes('mallory'));
    });
  }

  it('users add has no way around the validators (Django has none there)', () => {
    const result = sandbox.run(['users', 'add', 'mallory', '--password-stdin', '--no-validate'], {
      input: '123\n',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown option '--no-validate'/);
    assert.ok(!usernames().includes('mallory'));
  });

  it('users add accepts a password that passes all four', () => {
    const result = sandbox.run(['users', 'add', 'trent', '--password-stdin'], {
      input: 'vq7-Lamp-orbit\n',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(usernames().includes('trent'));
  });

  // Each expected message is what Django 3.2.25's validate_password said for this user.
  it("changepassword applies all four, with the user's email, three tries", () => {
    const result = sandbox.run(['changepassword', 'alice'], {
      input: 'password\npassword\nalice2026\nalice2026\nexample.com\nexample.com\n',
    });
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `${COMMON}\n${SIMILAR_USERNAME}\n${SIMILAR_EMAIL}\n` +
        "CommandError: Aborting password change for user 'alice' after 3 attempts\n",
    );
  });

  it('createsuperuser --noinput refuses a weak TESSERA_SUPERUSER_PASSWORD', () => {
    const result = sandbox.run(
      ['createsuperuser', '--noinput', '--username', 'root1', '--email', 'r@x.io'],
      { env: { TESSERA_SUPERUSER_PASSWORD: '123' } },
    );
    assert.equal(result.status, 1);
    assert.equal(result.stderr, `CommandError: ${[TOO_SHORT, COMMON, NUMERIC].join('; ')}\n`);
    assert.ok(!usernames().includes('root1'));
  });

  it('createsuperuser --no-validate without --noinput is refused: the question is the bypass', () => {
    const result = sandbox.run(['createsuperuser', '--no-validate', '--username', 'root3']);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      'CommandError: --no-validate applies only with --noinput; interactively, answer the bypass question.\n',
    );
  });

  it('createsuperuser --noinput --no-validate is the bypass Django asks about interactively', () => {
    const result = sandbox.run(
      ['createsuperuser', '--noinput', '--no-validate', '--username', 'root2', '--email', 'r@x.io'],
      { env: { TESSERA_SUPERUSER_PASSWORD: '123' } },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.ok(usernames().includes('root2'));
  });

  it("the shell's users.create applies them too", () => {
    const result = sandbox.run(['shell'], {
      input:
        "await users.create({ username: 'peggy', password: 'peggy123' }).catch((e) => console.log('refused', JSON.stringify(e.detail)))\n",
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /refused \{"password":\["The password is too similar to the username\."\]\}/,
    );
    assert.ok(!usernames().includes('peggy'));
  });

  it('a password at the edge of its type: 100,000 characters is checked, not hung on', () => {
    const result = sandbox.run(['users', 'add', 'long', '--password-stdin'], {
      input: `${'a'.repeat(99_990)}long123456\n`,
    });
    assert.equal(result.status, 0, result.stderr);
  });
});
