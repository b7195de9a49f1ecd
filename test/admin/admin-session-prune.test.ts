import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Store } from '../../src/core/store.js';
import { openStore } from '../../src/stores/open-store.js';
import { tessera } from '../multi-node/node-process.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { newToken, user } from '../stores/sql-store-helpers.js';

const HOUR = 3600_000;

/**
 * `tessera tokens prune` removes the admin page's expired sessions with the expired tokens
 * (docs/admin.md): run as an operator runs it, a separate process, on each database.
 */
for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`${kind}: tokens prune and the admin page's sessions`, () => {
    const databases = kind === 'sqlite' ? undefined : new FreshDatabases(kind);
    const directory = mkdtempSync(join(tmpdir(), 'tessera-admin-prune-'));
    const opened: Store[] = [];
    after(async () => {
      for (const store of opened) await store.close();
      await databases?.dropAll();
      rmSync(directory, { recursive: true, force: true });
    });

    async function migrated(): Promise<{ url: string; store: Store }> {
      const url = databases
        ? (await databases.create()).url
        : `sqlite:${join(directory, `${opened.length}.sqlite3`)}`;
      const store = await openStore(url);
      opened.push(store);
      await store.migrate();
      return { url, store };
    }

    test('expired sessions are deleted with expired tokens; live ones are kept', async () => {
      const { url, store } = await migrated();
      const admin = store.admin?.();
      assert.ok(admin);
      const staff = await store.createUser({ ...user('staff'), isStaff: true });
      const session = (expires: number) => ({
        userId: staff.id,
        expires: new Date(expires),
        userHash: 'h'.repeat(64),
      });
      const now = Date.now();
      await admin.createSession('a'.repeat(64), session(now - 8 * HOUR));
      await admin.createSession('b'.repeat(64), session(now - 1000));
      await admin.createSession('c'.repeat(64), session(now + HOUR));
      await store.createToken(newToken(staff.id, { name: 'old', expires: new Date(now - HOUR) }));
      const live = await store.createToken(newToken(staff.id, { name: 'live' }));

      const first = tessera({ DATABASE_URL: url }, ['tokens', 'prune']);
      assert.equal(first, 'Deleted 1 expired token(s).\nDeleted 2 expired admin session(s).\n');
      assert.equal(await admin.findSession('a'.repeat(64)), null);
      assert.equal(await admin.findSession('b'.repeat(64)), null);
      assert.deepEqual(await admin.findSession('c'.repeat(64)), session(now + HOUR));
      assert.equal((await store.getToken(live.id))?.name, 'live');

      // Nothing left to prune: the token line alone, as before sessions existed.
      assert.equal(
        tessera({ DATABASE_URL: url }, ['tokens', 'prune']),
        'Deleted 0 expired token(s).\n',
      );
      assert.ok(await admin.findSession('c'.repeat(64)));
    });

    test('--help says admin sessions are pruned too', () => {
      const help = tessera({}, ['tokens', 'prune', '--help']);
      assert.match(help, /expired sessions/);
    });
  });
}
