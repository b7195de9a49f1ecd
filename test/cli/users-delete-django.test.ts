import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServerNode, within } from '../multi-node/node-process.js';
import {
  addDjangoRows,
  createDjangoTables,
  type RawSql,
  rawSql,
  userRows,
} from '../stores/django-user-tables.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { CliSandbox } from './run-cli.js';

// `tessera users delete` on a database a Django app shares (Django's own DDL): a refusal names
// each table with its rows and deletes nothing; --cascade-django deletes the user's rows in
// Django's four tables, still refuses for an app's table, and a server running on the database
// refuses the deleted user's key within a second (docs/many-nodes.md).

const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user /;
const PROPAGATION_BOUND_MS = 1000;
const DJANGO_REFERENCES =
  'auth_user_groups (1 row), auth_user_user_permissions (1 row), authtoken_token (1 row), ' +
  'django_admin_log (3 rows)';

test('users delete --help documents --cascade-django', () => {
  const sandbox = new CliSandbox();
  try {
    const help = sandbox.run(['users', 'delete', '--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--cascade-django +also delete the user's rows in django_admin_log/);
    assert.match(help.stdout, /authtoken_token/);
    assert.match(help.stdout, /--noinput, --no-input/);
  } finally {
    sandbox.cleanup();
  }
});

test("on a terminal, --cascade-django's question names Django's tables; 'no' deletes nothing", async () => {
  const sandbox = new CliSandbox();
  try {
    assert.equal(sandbox.run(['migrate']).status, 0);
    assert.equal(sandbox.run(['users', 'add', 'erin']).status, 0);
    const sql = rawSql('sqlite', sandbox.databaseUrl);
    await createDjangoTables(sql, 'sqlite');
    const id = await sql.count("SELECT id FROM auth_user WHERE username = 'erin'");
    await addDjangoRows(sql, 'sqlite', id, { adminLog: 3, orders: 0, keyChar: 'e' });
    const before = await userRows(sql, id);
    const { status, screen } = await sandbox.runOnTerminal(
      ['users', 'delete', 'erin', '--cascade-django'],
      [["Type 'yes' to continue, or 'no' to cancel: ", 'no']],
    );
    assert.equal(status, 0, screen);
    assert.match(
      screen,
      /delete user erin and their 0 token\(s\), and their rows in django_admin_log, auth_user_groups, auth_user_user_permissions, authtoken_token\.\nThis will IRREVERSIBLY delete them all/,
    );
    assert.match(screen, /Deletion cancelled\./);
    assert.deepEqual(await userRows(sql, id), before);
  } finally {
    sandbox.cleanup();
  }
});

for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`${kind}: tessera users delete where Django's tables refer to the user`, () => {
    const sandbox = new CliSandbox();
    const databases = kind === 'sqlite' ? undefined : new FreshDatabases(kind);
    let url = sandbox.databaseUrl;
    let sql: RawSql;
    let server: ServerNode | undefined;
    const ids: Record<string, number> = {};

    const tessera = (args: readonly string[]) => sandbox.run(args, { env: { DATABASE_URL: url } });

    /** A user made by the CLI, with Django's rows and `orders` rows in shop_order. */
    async function djangoUser(username: string, orders: number, keyChar: string) {
      const added = tessera(['users', 'add', username]);
      assert.equal(added.status, 0, added.stderr);
      ids[username] = await sql.count(`SELECT id FROM auth_user WHERE username = '${username}'`);
      await addDjangoRows(sql, kind, ids[username] as number, { adminLog: 3, orders, keyChar });
    }

    before(async () => {
      if (databases) url = (await databases.create()).url;
      const migrated = tessera(['migrate']);
      assert.equal(migrated.status, 0, migrated.stderr);
      sql = rawSql(kind, url);
      await createDjangoTables(sql, kind);
      await djangoUser('bob', 1, 'b');
    });
    after(async () => {
      await server?.stop();
      await databases?.dropAll();
      sandbox.cleanup();
    });

    test('without --cascade-django: one line naming each table and its rows, exit 1, nothing deleted', async () => {
      await djangoUser('alice', 0, 'a');
      const before = await userRows(sql, ids.alice as number);
      const refused = tessera(['users', 'delete', 'alice', '--noinput']);
      assert.equal(refused.status, 1);
      assert.equal(refused.stdout, '');
      assert.equal(
        refused.stderr,
        `CommandError: user 'alice' is referred to by ${DJANGO_REFERENCES}; nothing was deleted. ` +
          "Use --cascade-django to delete the user's rows in Django's tables too, as Django's own delete does.\n",
      );
      assert.deepEqual(await userRows(sql, ids.alice as number), before);
      assert.equal(before.auth_user, 1);
      assert.equal(before.django_admin_log, 3);
    });

    test('--cascade-django still refuses for an app table, naming it; nothing deleted', async () => {
      await djangoUser('carol', 2, 'c');
      const before = await userRows(sql, ids.carol as number);
      for (const extra of [[], ['--cascade-django']]) {
        const refused = tessera(['users', 'delete', 'carol', '--noinput', ...extra]);
        assert.equal(refused.status, 1);
        assert.equal(
          refused.stderr,
          `CommandError: user 'carol' is referred to by ${DJANGO_REFERENCES}, shop_order (2 rows); ` +
            "nothing was deleted. --cascade-django deletes only from Django's tables, not " +
            'shop_order: delete or reassign its rows first.\n',
        );
        assert.deepEqual(await userRows(sql, ids.carol as number), before);
      }
    });

    test("--cascade-django deletes exactly the user's rows in Django's four tables and the user; a running server refuses their key within 1 s", async () => {
      await djangoUser('dave', 0, 'd');
      const created = tessera(['drf_create_token', 'dave']);
      const key = KEY_LINE.exec(created.stdout)?.[1] ?? '';
      assert.ok(key, created.stdout + created.stderr);
      server = await ServerNode.start({ DATABASE_URL: url });
      const running = server;
      assert.equal((await running.post('/api/build-trigger/', key)).status, 200);
      // Twice: the second answer may come from the server's token cache.
      assert.equal((await running.post('/api/build-trigger/', key)).status, 200);

      const bobBefore = await userRows(sql, ids.bob as number);
      assert.deepEqual(await userRows(sql, ids.dave as number), {
        auth_user: 1,
        django_admin_log: 3,
        auth_user_groups: 1,
        auth_user_user_permissions: 1,
        authtoken_token: 1,
        shop_order: 0,
        tessera_token: 1,
      });
      const deleted = tessera(['users', 'delete', 'dave', '--noinput', '--cascade-django']);
      assert.equal(deleted.stderr, '');
      assert.equal(deleted.status, 0);
      assert.equal(
        deleted.stdout,
        "User dave deleted, with their tokens and their rows in Django's tables.\n",
      );
      const took = await within(PROPAGATION_BOUND_MS, 'the server refusing the key', async () => {
        const answer = await running.post('/api/build-trigger/', key);
        return answer.status === 401 && answer.body === '{"detail":"Invalid token."}';
      });
      assert.ok(took <= PROPAGATION_BOUND_MS, `took ${took} ms`);
      assert.deepEqual(await userRows(sql, ids.dave as number), {
        auth_user: 0,
        django_admin_log: 0,
        auth_user_groups: 0,
        auth_user_user_permissions: 0,
        authtoken_token: 0,
        shop_order: 0,
        tessera_token: 0,
      });
      assert.deepEqual(await userRows(sql, ids.bob as number), bobBefore, "bob's rows stay");
    });
  });
}
