import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { keyDigest } from '../../src/core/tokens/key-format.js';
import { newToken } from '../../src/core/tokens/token-issuer.js';
import { openStore } from '../../src/stores/open-store.js';
import { CliSandbox } from './run-cli.js';

const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user (\w+)\n$/;

describe('tessera tokens', () => {
  const sandbox = new CliSandbox();
  before(() => {
    sandbox.run(['migrate']);
    sandbox.run(['users', 'add', 'alice', '--password-stdin'], { input: 'alice-password\n' });
    sandbox.run(['users', 'add', 'bob']);
  });
  after(() => sandbox.cleanup());

  async function withStore<T>(work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>) {
    const store = await openStore(sandbox.databaseUrl);
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  let ciKey = '';

  test('create prints the key once, with the name, expiry and scopes stored', async () => {
    const result = sandbox.run([
      'tokens',
      'create',
      'alice',
      '--name',
      'ci',
      '--expires-in',
      '30d',
      '--scope',
      'builds:trigger',
      '--scope',
      'deploy',
    ]);
    assert.equal(result.status, 0, result.stderr);
    ciKey = KEY_LINE.exec(result.stdout)?.[1] ?? '';
    assert.ok(ciKey, result.stdout);
    const match = await withStore((store) => store.findTokenByDigest(keyDigest(ciKey)));
    assert.equal(match?.token.name, 'ci');
    assert.deepEqual(match?.token.scopes, ['builds:trigger', 'deploy']);
    const lifetime = (match?.token.expires?.getTime() ?? 0) - (match?.token.created.getTime() ?? 0);
    assert.equal(lifetime, 30 * 86_400_000);
  });

  test('create refuses bad input with one clear line', () => {
    const cases: [string[], string][] = [
      [['--name', 'ci'], 'CommandError: --name: A token with this name already exists.\n'],
      [['--name', 'default'], 'CommandError: --name: "default" is a reserved name.\n'],
      [
        ['--name', 'x', '--expires-in', '30 days'],
        'CommandError: --expires-in: Enter a duration: a whole number and one unit of s, m, h, d or w, such as 30d.\n',
      ],
      [
        ['--name', 'x', '--sliding'],
        'CommandError: --expires-in: Required for a sliding token.; --max-age: Required for a sliding token.\n',
      ],
      [
        ['--name', 'x', '--expires-in', '18251d'],
        'CommandError: --expires-in: Ensure this value is less than or equal to 18250d (50 years).\n',
      ],
      [
        ['--name', 'x', '--sliding', '--expires-in', '1d', '--max-age', '9999999w'],
        'CommandError: --max-age: Ensure this value is less than or equal to 18250d (50 years).\n',
      ],
      [
        ['--name', 'ci\x1b]0;owned\x07'],
        'CommandError: --name: Control characters are not allowed: U+001B.\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const result = sandbox.run(['tokens', 'create', 'alice', ...args]);
      assert.equal(result.status, 1, args.join(' '));
      assert.equal(result.stderr, stderr, args.join(' '));
    }
    assert.equal(
      sandbox.run(['tokens', 'create', 'ghost', '--name', 'x']).stderr,
      "CommandError: user 'ghost' does not exist\n",
    );
  });

  test('list shows a table or JSON, never a key', () => {
    sandbox.run(['drf_create_token', 'bob']);
    const table = sandbox.run(['tokens', 'list']);
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      /^ID\s+USER\s+KIND\s+NAME\s+PREVIEW\s+SCOPES\s+CREATED\s+LAST_USED\s+EXPIRES$/,
    );
    assert.equal(lines.length, 3);
    assert.ok(!table.stdout.includes(ciKey));
    const json = JSON.parse(sandbox.run(['tokens', 'list', '--user', 'alice', '--json']).stdout);
    assert.equal(json.length, 1);
    assert.deepEqual(Object.keys(json[0]).sort(), [
      'created',
      'expires',
      'id',
      'kind',
      'last_used',
      'name',
      'preview',
      'scopes',
      'user',
    ]);
    assert.equal(json[0].preview, ciKey.slice(0, 8));
    assert.ok(!JSON.stringify(json).includes(ciKey));
    assert.ok(!JSON.stringify(json).includes(keyDigest(ciKey)));
  });

  test('rotate prints a new key; the old one is gone', async () => {
    const id = await withStore(
      async (store) => (await store.findTokenByDigest(keyDigest(ciKey)))?.token.id,
    );
    const result = sandbox.run(['tokens', 'rotate', String(id)]);
    assert.equal(result.status, 0, result.stderr);
    const [, newKey, user] = KEY_LINE.exec(result.stdout) ?? [];
    assert.equal(user, 'alice');
    await withStore(async (store) => {
      assert.equal(await store.findTokenByDigest(keyDigest(ciKey)), null);
      assert.equal((await store.findTokenByDigest(keyDigest(newKey ?? '')))?.token.id, id);
    });
    assert.equal(
      sandbox.run(['tokens', 'rotate', '99999']).stderr,
      'CommandError: token 99999 does not exist\n',
    );
    assert.equal(
      sandbox.run(['tokens', 'rotate', 'abc']).stderr,
      'CommandError: "abc" is not a token id\n',
    );
  });

  test('revoke one, revoke all of a user, and refuse ambiguous use', async () => {
    sandbox.run(['tokens', 'create', 'alice', '--name', 'laptop']);
    const laptop = await withStore(async (store) =>
      (await store.listTokens()).find((t) => t.name === 'laptop'),
    );
    assert.equal(
      sandbox.run(['tokens', 'revoke', String(laptop?.id)]).stdout,
      `Revoked token ${laptop?.id}.\n`,
    );
    assert.equal(sandbox.run(['tokens', 'revoke', String(laptop?.id)]).status, 1);
    assert.equal(sandbox.run(['tokens', 'revoke', '--user', 'alice']).status, 1);
    assert.equal(
      sandbox.run(['tokens', 'revoke', '--user', 'alice', '--all']).stdout,
      'Revoked 1 token(s) of user alice.\n',
    );
    const left = await withStore((store) => store.listTokens());
    assert.deepEqual(
      left.map((t) => t.name),
      ['default'],
    );
  });

  test('prune deletes expired tokens only', async () => {
    await withStore(async (store) => {
      const bob = await store.getUserByUsername('bob');
      const clock = { now: () => Date.now() - 3_600_000 };
      const { row } = newToken({
        userId: bob?.id ?? 0,
        kind: 'named',
        name: 'old',
        clock,
        expires: new Date(Date.now() - 1000),
      });
      await store.createToken(row);
    });
    assert.equal(sandbox.run(['tokens', 'prune']).stdout, 'Deleted 1 expired token(s).\n');
    assert.equal(sandbox.run(['tokens', 'prune']).stdout, 'Deleted 0 expired token(s).\n');
  });

  test('changepassword --revoke-tokens revokes every token of the user', async () => {
    sandbox.run(['tokens', 'create', 'bob', '--name', 'phone']);
    const result = sandbox.run(['changepassword', '--revoke-tokens', 'bob'], {
      input: 'new-password-1\nnew-password-1\n',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /Password changed successfully for user 'bob'\nRevoked 2 token\(s\) of user 'bob'\.\n$/,
    );
    const bobs = await withStore(async (store) =>
      store.listTokens({ userId: (await store.getUserByUsername('bob'))?.id ?? 0 }),
    );
    assert.deepEqual(bobs, []);
  });
});
