import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LIVE_DRF_KEY_MANAGED_BY_DJANGO } from '../../src/core/auth/live-drf-key-permission.js';
import { requireDrfTokenTable } from '../../src/core/auth/live-drf-keys.js';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../../src/core/config/settings.js';
import type { TesseraEventMap } from '../../src/core/events.js';
import type { Store, TokenUse } from '../../src/core/store.js';
import { createTessera } from '../../src/core/tessera.js';
import { systemClock } from '../../src/core/time/clock.js';
import { DrfTokenTableAbsent } from '../../src/core/tokens/drf-token-reader.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/stores/open-store.js';
import { ServerNode, within } from '../multi-node/node-process.js';
import {
  AUTHTOKEN_DDL,
  deleteDrfKey,
  insertDrfKey,
  LIVE_KINDS,
  type LiveDatabase,
  migratedDatabase,
  openRaw,
  type RawConnection,
} from './authtoken-table.js';
import { drfKey } from './drf-key.js';

const INVALID = '{"detail":"Invalid token."}';
const INACTIVE = '{"detail":"User inactive or deleted."}';
const MANAGED = JSON.stringify({ detail: LIVE_DRF_KEY_MANAGED_BY_DJANGO });
// The bound live mode promises for a key Django deletes (docs/keys.md).
const BOUND_MS = 1000;

const HASH = 'pbkdf2_sha256$1000$salt$aGFzaA==';

function settings(overrides: Partial<TesseraSettings>): TesseraSettings {
  return { ...DEFAULT_SETTINGS, passwordIterations: 1000, ...overrides };
}

async function createUser(store: Store, username: string, isActive: boolean): Promise<number> {
  return (await store.createUser({ username, password: HASH, isActive, dateJoined: new Date() }))
    .id;
}

for (const kind of LIVE_KINDS) {
  describe(`live mode, TESSERA_DRF_TOKENS=read, on ${kind}`, () => {
    let database: LiveDatabase;
    let store: Store;
    let raw: RawConnection;
    let node: ServerNode;
    let aliceId: number;
    let bobId: number;

    before(async () => {
      database = await migratedDatabase(kind);
      store = await openStore(database.url);
      aliceId = await createUser(store, 'alice', true);
      bobId = await createUser(store, 'bob', false);
      raw = await openRaw(database);
      // Before Django's table exists, live mode refuses to start.
      await assert.rejects(requireDrfTokenTable(store), DrfTokenTableAbsent);
      for (const statement of AUTHTOKEN_DDL[kind]) await raw.run(statement);
      await requireDrfTokenTable(store);
      node = await ServerNode.start({ DATABASE_URL: database.url, TESSERA_DRF_TOKENS: 'read' });
    });
    after(async () => {
      await node?.stop();
      await raw?.close();
      await store?.close();
      await database?.drop();
    });

    const trigger = async (key: string) => {
      const { status, body } = await node.post('/api/build-trigger/', key);
      return `${status} ${body}`;
    };

    test('a key inserted by another connection works at once; deleted, it is refused within 1 s', async (t) => {
      const key = drfKey();
      await insertDrfKey(raw, kind, key, aliceId);
      // The first request after the insert, and every one after it.
      for (let i = 0; i < 3; i++) assert.equal(await trigger(key), '200 ');
      await deleteDrfKey(raw, kind, key);
      const took = await within(5 * BOUND_MS, 'the deleted DRF key refused', async () => {
        return (await trigger(key)) === `401 ${INVALID}`;
      });
      assert.ok(took <= BOUND_MS, `the deleted key still worked ${took} ms after the delete`);
      t.diagnostic(`deleted DRF key refused ${took} ms after the delete`);
      // An unknown 40-hex key, as DRF answers it.
      assert.equal(await trigger(drfKey()), `401 ${INVALID}`);
    });

    test("an inactive user's live key: User inactive or deleted.", async () => {
      const key = drfKey();
      await insertDrfKey(raw, kind, key, bobId);
      assert.equal(await trigger(key), `401 ${INACTIVE}`);
      await deleteDrfKey(raw, kind, key);
    });

    test('a key Django holds in uppercase does not match its lowercase twin (MySQL collations included)', async () => {
      const key = drfKey();
      const daveId = await createUser(store, `dave_${kind}`, true);
      await insertDrfKey(raw, kind, key.toUpperCase(), daveId);
      assert.equal(await trigger(key), `401 ${INVALID}`);
      await deleteDrfKey(raw, kind, key.toUpperCase());
    });

    test('a live key cannot log out, log out everywhere, mint, list or rotate tokens: 403, managed by Django', async () => {
      const key = drfKey();
      await insertDrfKey(raw, kind, key, aliceId);
      const { id: tokenId } = (await issueDefaultToken(store, aliceId, systemClock)).token;
      const refused = [
        ['/api-token-auth/logout/', undefined],
        ['/api-token-auth/logoutall/', undefined],
        ['/api/tokens/', { name: 'minted-by-a-live-key' }],
        [`/api/tokens/${tokenId}/rotate/`, undefined],
      ] as const;
      for (const [path, json] of refused) {
        const { status, body } = await node.post(path, key, json);
        assert.equal(`${status} ${body}`, `403 ${MANAGED}`, path);
      }
      // Nothing was written anywhere: the key, Django's row and alice's tessera token all stay.
      assert.equal(await trigger(key), '200 ');
      assert.equal((await store.listTokens({ userId: aliceId })).length, 1);
      const rows = await raw.run('SELECT user_id FROM authtoken_token WHERE user_id = ?', [
        aliceId,
      ]);
      assert.equal(rows.length, 1);
      await deleteDrfKey(raw, kind, key);
      await store.deleteUserTokens(aliceId);
    });

    test('with TESSERA_DRF_TOKENS=off (the default) the same key gets Invalid token.', async () => {
      const key = drfKey();
      await insertDrfKey(raw, kind, key, aliceId);
      const app = await buildServer({ store, settings: settings({}), logger: false });
      try {
        const response = await app.inject({
          method: 'POST',
          url: '/api/build-trigger/',
          headers: { authorization: `Token ${key}` },
        });
        assert.equal(`${response.statusCode} ${response.body}`, `401 ${INVALID}`);
        assert.equal(await trigger(key), '200 ');
      } finally {
        await app.close();
        await deleteDrfKey(raw, kind, key);
      }
    });

    test('failed live keys count against the key-guess limit; past it, no read of either table', async () => {
      const reads = { tessera: 0, django: 0 };
      const reader = store.drfTokens?.();
      assert.ok(reader);
      const counting = new Proxy(store, {
        get(target, property) {
          if (property === 'findTokenByDigest') {
            return (digest: string) => {
              reads.tessera++;
              return target.findTokenByDigest(digest);
            };
          }
          if (property === 'drfTokens') {
            return () => ({
              findDrfToken: (key: string) => {
                reads.django++;
                return reader.findDrfToken(key);
              },
              hasDrfTokenTable: () => reader.hasDrfTokenTable(),
            });
          }
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const tessera = createTessera({
        store: counting,
        settings: { drfTokens: 'read', keyFailuresPerIp: '3/min', tokenCacheSeconds: null },
      });
      try {
        const outcomes: string[] = [];
        for (let i = 0; i < 5; i++) {
          try {
            await tessera.tokenAuthentication.authenticateCredentials(drfKey(), '203.0.113.7');
            outcomes.push('ok');
          } catch (error) {
            outcomes.push(String((error as { status?: number }).status));
          }
        }
        assert.deepEqual(outcomes, ['401', '401', '401', '429', '429']);
        assert.deepEqual(reads, { tessera: 3, django: 3 });
      } finally {
        await tessera.close();
      }
    });

    test('a live key authenticates as kind drf, token id 0, no scopes, and its use is never written', async () => {
      const key = drfKey();
      await insertDrfKey(raw, kind, key, aliceId);
      const written: TokenUse[][] = [];
      const recording = new Proxy(store, {
        get(target, property) {
          const value = Reflect.get(target, property, target);
          if (property === 'recordTokenUses') {
            return (uses: readonly TokenUse[]) => {
              written.push([...uses]);
              return target.recordTokenUses(uses);
            };
          }
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const tessera = createTessera({ store: recording, settings: { drfTokens: 'read' } });
      const authenticated: TesseraEventMap['authenticated'][] = [];
      tessera.events.on('authenticated', (event) => authenticated.push(event));
      const { user, auth } = await tessera.tokenAuthentication.authenticateCredentials(key);
      assert.equal(user.username, 'alice');
      assert.equal(auth?.kind, 'drf');
      assert.equal(auth?.id, 0);
      assert.deepEqual(auth?.scopes, []);
      assert.equal(auth?.preview, key.slice(0, 4));
      assert.deepEqual(authenticated, [{ userId: aliceId, tokenId: 0, kind: 'drf' }]);
      // Closing writes every pending use: there is none.
      await tessera.close();
      assert.deepEqual(written, []);
      await deleteDrfKey(raw, kind, key);
    });
  });
}

describe('live mode without Django authtoken_token (SQLite)', () => {
  let database: LiveDatabase;
  let store: Store;

  before(async () => {
    database = await migratedDatabase('sqlite');
    store = await openStore(database.url);
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  test('tessera serve refuses to start, naming the setting and the table', async () => {
    await assert.rejects(
      ServerNode.start({ DATABASE_URL: database.url, TESSERA_DRF_TOKENS: 'read' }),
      (error: Error) => {
        assert.match(error.message, /server exited \(1\)/);
        assert.match(
          error.message,
          /CommandError: TESSERA_DRF_TOKENS=read \(settings\.drfTokens: 'read'\) reads Django's authtoken_token table, and this database has none/,
        );
        return true;
      },
    );
  });

  test('buildServer refuses too', async () => {
    await assert.rejects(
      buildServer({ store, settings: settings({ drfTokens: 'read' }), logger: false }),
      DrfTokenTableAbsent,
    );
  });

  test('createTessera answers a DRF key 503 and says why once; tsr_ keys still work', async () => {
    const warnings: string[] = [];
    const tessera = createTessera({
      store,
      settings: { drfTokens: 'read' },
      onWarning: (message) => warnings.push(message),
    });
    try {
      for (let i = 0; i < 3; i++) {
        await assert.rejects(
          Promise.resolve(tessera.tokenAuthentication.authenticateCredentials(drfKey())),
          (error: { status?: number }) => error.status === 503,
        );
      }
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0] as string,
        /reads Django's authtoken_token table, and this database has none/,
      );
      const userId = await createUser(store, 'carol', true);
      const { key } = await issueDefaultToken(store, userId, systemClock);
      const { user } = await tessera.tokenAuthentication.authenticateCredentials(key);
      assert.equal(user.username, 'carol');
    } finally {
      await tessera.close();
    }
  });

  test('createTessera refuses read with legacy keys off, and a store that cannot read Django tables', () => {
    assert.throws(
      () => createTessera({ store, settings: { drfTokens: 'read', legacyKeys: false } }),
      /TESSERA_DRF_TOKENS=read reads DRF's keys, which TESSERA_LEGACY_KEYS=false refuses/,
    );
    const withoutReader = new Proxy(store, {
      get(target, property) {
        if (property === 'drfTokens') return undefined;
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    assert.throws(
      () => createTessera({ store: withoutReader, settings: { drfTokens: 'read' } }),
      /needs a SQL store on Django's database/,
    );
    assert.throws(
      () => createTessera({ store, settings: { drfTokens: 'on' as unknown as 'read' } }),
      /drfTokens must be 'off' or 'read', not "on"/,
    );
  });
});
