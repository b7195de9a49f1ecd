import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Invalidation } from '../../src/core/invalidation.js';
import type { Store } from '../../src/core/store.js';
import type { DrfTokenImportReport } from '../../src/core/tokens/drf-token-import.js';
import { openStore } from '../../src/stores/open-store.js';
import { HELD_BY_TESSERA, REVOKED_IN_TESSERA } from '../../src/stores/sql/drf-token-import.js';
import {
  DRF_AUTHTOKEN_DDL,
  type DrfTestKind,
  openRaw,
  type RawConnection,
} from '../cli/drf-authtoken-table.js';
import { FreshDatabases } from './fresh-database.js';

const drfKey = () => randomBytes(20).toString('hex');
const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const CREATED = '2024-05-06 07:08:09';

const nothing: DrfTokenImportReport = {
  imported: 0,
  replaced: 0,
  skipped: 0,
  alreadyImported: 0,
  heldBack: [],
  removed: 0,
  plaintextDeleted: 0,
};

for (const kind of ['sqlite', 'postgres', 'mysql'] as const satisfies readonly DrfTestKind[]) {
  describe(`Store.importDrfTokens: copies tessera changed, keys Django moved (${kind})`, () => {
    const servers = kind === 'sqlite' ? undefined : new FreshDatabases(kind);
    const directory = mkdtempSync(join(tmpdir(), 'tessera-drf-import-'));
    let store: Store;
    let raw: RawConnection;
    const ids: Record<string, number> = {};
    const heard: Invalidation[] = [];
    const column = kind === 'mysql' ? '`key`' : '"key"';
    // Carol's DRF key, which Django later moves to dave.
    let movedKey = '';

    before(async () => {
      const url = servers
        ? (await servers.create({ migrated: true })).url
        : `sqlite:${join(directory, 'db.sqlite3')}`;
      store = await openStore(url);
      await store.migrate();
      store.subscribeInvalidations({
        invalidate: (invalidation) => heard.push(invalidation),
        setChannelUp: () => {},
        channelFailed: () => {},
      });
      raw = await openRaw(kind, url);
      for (const statement of DRF_AUTHTOKEN_DDL[kind]) await raw.query(statement);
      for (const username of ['alice', 'bob', 'carol', 'dave', 'erin']) {
        const user = await store.createUser({
          username,
          password: '!unusable',
          dateJoined: new Date(),
        });
        ids[username] = user.id;
      }
    });
    after(async () => {
      await raw?.close();
      await store?.close();
      await servers?.dropAll();
      rmSync(directory, { recursive: true, force: true });
    });

    const importDrf = (options: { deletePlaintext?: boolean; dryRun?: boolean } = {}) => {
      assert.ok(store.importDrfTokens, 'a SQL store imports DRF tokens');
      return store.importDrfTokens({
        deletePlaintext: options.deletePlaintext ?? false,
        dryRun: options.dryRun ?? false,
      });
    };
    const setDrfKey = async (username: string, key: string | null) => {
      await raw.query('DELETE FROM authtoken_token WHERE user_id = ?', [ids[username]]);
      if (key === null) return;
      const created = kind === 'postgres' ? `${CREATED}+00` : CREATED;
      await raw.query(
        `INSERT INTO authtoken_token (${column}, created, user_id) VALUES (?, ?, ?)`,
        [key, created, ids[username]],
      );
    };
    const holder = async (key: string) =>
      (await store.findTokenByDigest(sha256(key)))?.user.username ?? null;

    test('a copy tessera revokes is not imported again while DRF holds that key; a new DRF key is', async () => {
      const first = drfKey();
      await setDrfKey('alice', first);
      assert.deepEqual(await importDrf(), { ...nothing, imported: 1 });
      const copy = await store.findTokenByDigest(sha256(first));
      assert.ok(copy);
      assert.equal(await store.deleteToken(copy.token.id), true);

      assert.deepEqual(await importDrf(), {
        ...nothing,
        skipped: 1,
        heldBack: [{ userId: ids.alice, username: 'alice', reason: REVOKED_IN_TESSERA }],
      });
      assert.equal(await holder(first), null);

      const second = drfKey();
      await setDrfKey('alice', second);
      assert.deepEqual(await importDrf(), { ...nothing, imported: 1 });
      assert.equal(await holder(second), 'alice');
      assert.equal(await holder(first), null);
    });

    test("a copy tessera rotates is tessera's own: never replaced, never removed", async () => {
      const key = drfKey();
      await setDrfKey('bob', key);
      const before = await importDrf();
      assert.equal(before.imported, 1);
      const copy = await store.findTokenByDigest(sha256(key));
      assert.ok(copy);
      const rotatedDigest = sha256('a key tessera made');
      await store.rotateToken(copy.token.id, rotatedDigest, 'tsr_rota');

      const held = await importDrf();
      assert.deepEqual(held.heldBack, [
        { userId: ids.bob, username: 'bob', reason: HELD_BY_TESSERA },
      ]);
      assert.equal(held.imported, 0);

      await setDrfKey('bob', null);
      const after = await importDrf();
      assert.equal(after.removed, 0);
      assert.equal((await store.findTokenByDigest(rotatedDigest))?.user.username, 'bob');
    });

    test('a key Django moved to another user follows it: the old copy goes first, then the new one', async () => {
      const carols = drfKey();
      movedKey = carols;
      const daves = drfKey();
      await setDrfKey('carol', carols);
      await setDrfKey('dave', daves);
      assert.equal((await importDrf()).imported, 2);
      const oldCopies = [
        (await store.findTokenByDigest(sha256(carols)))?.token.id,
        (await store.findTokenByDigest(sha256(daves)))?.token.id,
      ];

      await setDrfKey('dave', null);
      await raw.query('UPDATE authtoken_token SET user_id = ? WHERE user_id = ?', [
        ids.dave,
        ids.carol,
      ]);
      heard.length = 0;
      const report = await importDrf();
      assert.equal(report.imported, 1);
      assert.equal(report.replaced, 1);
      assert.equal(report.removed, 1);
      assert.equal(await holder(carols), 'dave');
      assert.equal(await holder(daves), null);
      // Both old copies were dropped from this process's caches (PostgreSQL's LISTEN may repeat).
      const dropped = new Set(heard.map((invalidation) => JSON.stringify(invalidation)));
      for (const id of oldCopies) assert.ok(dropped.has(JSON.stringify({ tokenId: id })), `${id}`);
    });

    test('a dry run reports a removal but removes nothing and drops nothing from caches', async () => {
      await setDrfKey('dave', null);
      const copy = (await store.findTokenByDigest(sha256(movedKey)))?.token.id;
      const dropped = () => heard.some((seen) => 'tokenId' in seen && seen.tokenId === copy);
      heard.length = 0;
      const dry = await importDrf({ dryRun: true });
      assert.equal(dry.removed, 1);
      assert.equal(await holder(movedKey), 'dave');
      assert.equal(dropped(), false);
      const real = await importDrf();
      assert.equal(real.removed, 1);
      assert.equal(await holder(movedKey), null);
      assert.equal(dropped(), true);
    });

    test('a DRF row restored after --delete-plaintext is watched again: deleting it then revokes the copy', async () => {
      const key = drfKey();
      await setDrfKey('erin', key);
      const deleted = await importDrf({ deletePlaintext: true });
      assert.equal(deleted.imported, 1);
      // Erin's row and alice's (imported by the first test); bob's and dave's are gone already.
      assert.equal(deleted.plaintextDeleted, 2);
      assert.deepEqual(
        (await raw.query('SELECT user_id FROM authtoken_token WHERE user_id = ?', [ids.erin]))
          .length,
        0,
      );
      assert.equal((await importDrf()).removed, 0);
      assert.equal(await holder(key), 'erin');

      await setDrfKey('erin', key);
      const restored = await importDrf();
      assert.equal(restored.imported, 0);
      assert.equal(restored.alreadyImported >= 1, true);
      await setDrfKey('erin', null);
      assert.equal((await importDrf()).removed, 1);
      assert.equal(await holder(key), null);
    });
  });
}
