import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ServiceUnavailable } from '../../src/core/errors.js';
import type { Store } from '../../src/core/store.js';
import { openStore } from '../../src/stores/open-store.js';
import { UserReferenced } from '../../src/stores/sql/user-referenced.js';
import {
  addDjangoRows,
  createDjangoTables,
  type Kind,
  type RawSql,
  rawSql,
  userRows,
} from './django-user-tables.js';
import { FreshDatabases } from './fresh-database.js';
import { newToken, user } from './sql-store-helpers.js';

// A user's rows in Django's tables (made with Django's own DDL) and an app's: deleteUser counts
// them from the catalogue before deleting anything, refuses naming each table, and with
// cascadeDjango deletes exactly the user's rows in Django's four tables.

const DJANGO_ROWS = {
  django_admin_log: 3,
  auth_user_groups: 1,
  auth_user_user_permissions: 1,
  authtoken_token: 1,
};

for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`${kind}: deleteUser on a database Django shares`, () => {
    const databases = kind === 'sqlite' ? undefined : new FreshDatabases(kind);
    const directory = mkdtempSync(join(tmpdir(), 'tessera-delete-user-'));
    let store: Store;
    let sql: RawSql;
    let bobId = 0;
    let next = 0;

    before(async () => {
      const url = databases
        ? (await databases.create({ migrated: true })).url
        : `sqlite:${join(directory, 'tessera.sqlite3')}`;
      store = await openStore(url);
      if (!databases) await store.migrate();
      sql = rawSql(kind, url);
      await createDjangoTables(sql, kind as Kind);
      // Bob's rows are in every table, and must outlive every deletion below.
      bobId = (await store.createUser(user('bob'))).id;
      await store.createToken(newToken(bobId));
      await addDjangoRows(sql, kind, bobId, { adminLog: 2, orders: 1, keyChar: 'b' });
    });
    after(async () => {
      await store?.close();
      await databases?.dropAll();
      rmSync(directory, { recursive: true, force: true });
    });

    /** A new user with a tessera token, Django's rows and `orders` rows in shop_order. */
    async function userWithRows(orders: number): Promise<number> {
      next++;
      const { id } = await store.createUser(user(`user${next}`));
      await store.createToken(newToken(id));
      await addDjangoRows(sql, kind, id, { adminLog: 3, orders, keyChar: String(next) });
      return id;
    }

    async function refusal(id: number, cascadeDjango: boolean): Promise<UserReferenced> {
      const before = { user: await userRows(sql, id), bob: await userRows(sql, bobId) };
      const error = await store.deleteUser(id, { cascadeDjango }).then(
        () => assert.fail('deleteUser went through'),
        (thrown: unknown) => thrown,
      );
      assert.ok(error instanceof UserReferenced, String(error));
      assert.deepEqual(await userRows(sql, id), before.user, "nothing of the user's was deleted");
      assert.deepEqual(await userRows(sql, bobId), before.bob);
      return error;
    }

    test("without cascadeDjango, Django's rows refuse the deletion, each table named with its rows", async () => {
      const id = await userWithRows(0);
      const error = await refusal(id, false);
      assert.deepEqual(error.references, [
        { table: 'auth_user_groups', rows: 1, django: true },
        { table: 'auth_user_user_permissions', rows: 1, django: true },
        { table: 'authtoken_token', rows: 1, django: true },
        { table: 'django_admin_log', rows: 3, django: true },
      ]);
      assert.match(error.message, /django_admin_log \(3 rows\)/);
      assert.match(error.message, /authtoken_token \(1 row\)/);
      assert.match(error.message, /nothing was deleted/);
    });

    test("with cascadeDjango, exactly the user's rows in Django's four tables go, with the user and their tokens", async () => {
      const id = await userWithRows(0);
      const bobBefore = await userRows(sql, bobId);
      assert.deepEqual(await userRows(sql, id), {
        auth_user: 1,
        ...DJANGO_ROWS,
        shop_order: 0,
        tessera_token: 1,
      });
      await store.deleteUser(id, { cascadeDjango: true });
      assert.deepEqual(await userRows(sql, id), {
        auth_user: 0,
        django_admin_log: 0,
        auth_user_groups: 0,
        auth_user_user_permissions: 0,
        authtoken_token: 0,
        shop_order: 0,
        tessera_token: 0,
      });
      assert.deepEqual(await userRows(sql, bobId), bobBefore, "bob's rows are all there");
      // The group and the permission stay: only the links to the user went.
      assert.equal(await sql.count('SELECT count(*) FROM auth_group'), 1);
      assert.equal(await sql.count('SELECT count(*) FROM auth_permission'), 1);
    });

    test("an app's table still refuses with cascadeDjango, named with its rows; nothing is deleted", async () => {
      const id = await userWithRows(2);
      const error = await refusal(id, true);
      assert.equal(error.cascadeDjango, true);
      assert.deepEqual(
        error.references.filter((reference) => !reference.django),
        [{ table: 'shop_order', rows: 2, django: false }],
      );
      assert.match(error.message, /shop_order \(2 rows\)/);
      // Once the app's rows are gone the same deletion goes through.
      await sql.run([`DELETE FROM shop_order WHERE user_id = ${id}`]);
      await store.deleteUser(id, { cascadeDjango: true });
      assert.equal((await userRows(sql, id)).auth_user, 0);
    });

    test("without cascadeDjango, an app's table is named beside Django's", async () => {
      const id = await userWithRows(1);
      const error = await refusal(id, false);
      assert.deepEqual(error.references.map((reference) => reference.table).sort(), [
        'auth_user_groups',
        'auth_user_user_permissions',
        'authtoken_token',
        'django_admin_log',
        'shop_order',
      ]);
    });

    test('a user no other table refers to is deleted as before, Django tables or not', async () => {
      const { id } = await store.createUser(user('loner'));
      await store.createToken(newToken(id));
      await store.deleteUser(id);
      assert.equal(await store.getUserById(id), null);
      assert.deepEqual(await store.listTokens({ userId: id }), []);
    });

    test('a cascade that fails part-way (here at commit, on a deferred key) deletes nothing', async () => {
      // A table pointing at DRF's token, not at the user: deleting alice's DRF token breaks it.
      const deferred = kind === 'mysql' ? '' : ' DEFERRABLE INITIALLY DEFERRED';
      const quote = kind === 'mysql' ? '`' : '"';
      await sql.run([
        `CREATE TABLE shop_token_use (id integer NOT NULL PRIMARY KEY, token_id varchar(40) NOT NULL,
          CONSTRAINT shop_token_use_token_fk FOREIGN KEY (token_id) REFERENCES authtoken_token (${quote}key${quote})${deferred})`,
      ]);
      const id = await userWithRows(0);
      await sql.run([
        `INSERT INTO shop_token_use (id, token_id) VALUES (1, '${String(next).repeat(40)}')`,
      ]);
      const before = await userRows(sql, id);
      await assert.rejects(store.deleteUser(id, { cascadeDjango: true }), ServiceUnavailable);
      assert.deepEqual(await userRows(sql, id), before);
      assert.equal(
        before.auth_user_groups,
        1,
        'deleted before the failing statement, then restored',
      );
      await sql.run(['DROP TABLE shop_token_use']);
    });

    test('a key the database itself cascades (ON DELETE CASCADE) does not refuse; the database deletes its rows', async () => {
      const quote = kind === 'mysql' ? '`' : '"';
      await sql.run([
        `CREATE TABLE shop_wishlist (id integer NOT NULL PRIMARY KEY, user_id integer NOT NULL,
          CONSTRAINT shop_wishlist_user_fk FOREIGN KEY (user_id) REFERENCES ${quote}auth_user${quote} (id) ON DELETE CASCADE)`,
      ]);
      const { id } = await store.createUser(user('wisher'));
      await sql.run([`INSERT INTO shop_wishlist (id, user_id) VALUES (1, ${id})`]);
      await store.deleteUser(id);
      assert.equal(await store.getUserById(id), null);
      assert.equal(await sql.count('SELECT count(*) FROM shop_wishlist'), 0);
      await sql.run(['DROP TABLE shop_wishlist']);
    });
  });
}
