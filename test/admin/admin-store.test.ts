import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { AdminStore } from '../../src/core/admin/admin-store.js';
import type { Store } from '../../src/core/store.js';
import { openStore } from '../../src/stores/open-store.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { newToken, user } from '../stores/sql-store-helpers.js';

for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`${kind}: the admin page's store`, () => {
    const databases = kind === 'sqlite' ? undefined : new FreshDatabases(kind);
    const directory = mkdtempSync(join(tmpdir(), 'tessera-admin-store-'));
    const opened: Store[] = [];
    after(async () => {
      for (const store of opened) await store.close();
      await databases?.dropAll();
      rmSync(directory, { recursive: true, force: true });
    });

    async function migrated(): Promise<{ url: string; store: Store; admin: AdminStore }> {
      const url = databases
        ? (await databases.create()).url
        : `sqlite:${join(directory, `${opened.length}.sqlite3`)}`;
      const store = await openStore(url);
      opened.push(store);
      await store.migrate();
      assert.ok(store.admin);
      return { url, store, admin: store.admin() };
    }

    test('migrate stores one secret key, which every store on the database reads', async () => {
      const { url, admin } = await migrated();
      const key = await admin.storedSecretKey();
      assert.match(key, /^[A-Za-z0-9_-]{64}$/);
      const other = await openStore(url);
      opened.push(other);
      assert.equal(await other.admin?.().storedSecretKey(), key);
    });

    test('sessions are found by digest, end one by one or by user', async () => {
      const { store, admin } = await migrated();
      const alice = await store.createUser(user('alice'));
      const expires = new Date(Date.now() + 60_000);
      await admin.createSession('a'.repeat(64), {
        userId: alice.id,
        expires,
        userHash: 'h'.repeat(64),
      });
      await admin.createSession('b'.repeat(64), {
        userId: alice.id,
        expires,
        userHash: 'h'.repeat(64),
      });
      assert.deepEqual(await admin.findSession('a'.repeat(64)), {
        userId: alice.id,
        expires,
        userHash: 'h'.repeat(64),
      });
      await admin.deleteSession('a'.repeat(64));
      assert.equal(await admin.findSession('a'.repeat(64)), null);
      assert.ok(await admin.findSession('b'.repeat(64)));
      await admin.deleteUserSessions(alice.id);
      assert.equal(await admin.findSession('b'.repeat(64)), null);
      const past = new Date(Date.now() - 1000);
      await admin.createSession('c'.repeat(64), {
        userId: alice.id,
        expires: past,
        userHash: 'h'.repeat(64),
      });
      await admin.createSession('d'.repeat(64), {
        userId: alice.id,
        expires,
        userHash: 'h'.repeat(64),
      });
      assert.equal(await admin.deleteExpiredSessions(new Date()), 1);
      assert.equal(await admin.findSession('c'.repeat(64)), null);
      assert.ok(await admin.findSession('d'.repeat(64)));
    });

    test('token pages go newest first by id, filtered by user; user search is a literal prefix', async () => {
      const { store, admin } = await migrated();
      const alice = await store.createUser(user('a_lice'));
      const bob = await store.createUser(user('abob'));
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          (await store.createToken(newToken(i % 2 ? bob.id : alice.id, { name: `t${i}` }))).id,
        );
      }
      const first = await admin.tokenPage({ limit: 2 });
      assert.deepEqual(
        first.rows.map((row) => row.token.id),
        [ids[4], ids[3]],
      );
      assert.equal(first.rows[1]?.username, 'abob');
      assert.equal(first.next, ids[3]);
      const last = await admin.tokenPage({ limit: 2, beforeId: ids[1] });
      assert.deepEqual(
        last.rows.map((row) => row.token.id),
        [ids[0]],
      );
      assert.equal(last.next, null);
      const alices = await admin.tokenPage({ limit: 10, userId: alice.id });
      assert.deepEqual(
        alices.rows.map((row) => row.token.id),
        [ids[4], ids[2], ids[0]],
      );
      const literal = await admin.userPage({ limit: 10, search: 'a_' });
      assert.deepEqual(
        literal.rows.map((row) => row.username),
        ['a_lice'],
      );
      const all = await admin.userPage({ limit: 1 });
      assert.deepEqual(
        all.rows.map((row) => row.username),
        ['abob'],
      );
      assert.equal(all.next, bob.id);
    });
  });
}
