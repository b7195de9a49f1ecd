import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Store } from '../../src/core/store.js';
import { systemClock } from '../../src/core/time/clock.js';
import { newToken } from '../../src/core/tokens/token-issuer.js';
import { openStore } from '../../src/stores/open-store.js';
import { ServerNode, within } from '../multi-node/node-process.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import {
  allowDrfDeleteStatements,
  DRF_AUTHTOKEN_DDL,
  type DrfTestKind,
  openRaw,
  type RawConnection,
  refuseDrfDeleteStatements,
} from './drf-authtoken-table.js';
import { type CliResult, CliSandbox } from './run-cli.js';

const KINDS: readonly DrfTestKind[] = ['sqlite', 'postgres', 'mysql'];
const HELD = 'already has a tessera default token (kept; not replaced)';
const INVALID = '{"detail":"Invalid token."}';
const INACTIVE = '{"detail":"User inactive or deleted."}';
const MISSING =
  "CommandError: there is no authtoken_token table in this database (DRF's tokens live there)\n";

/** A key as DRF makes one: 40 lowercase hex characters. */
const drfKey = () => randomBytes(20).toString('hex');
const sha256 = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** A UTC time as Django writes it in each database (`USE_TZ = True`). */
function djangoTime(kind: DrfTestKind, iso: string): string {
  const naive = iso.replace('T', ' ').replace('Z', '');
  return kind === 'postgres' ? `${naive}+00` : naive;
}

/** A database of one kind, tessera-migrated, reached by the CLI and by a raw connection. */
class DrfTestDatabase {
  readonly sandbox = new CliSandbox();
  readonly #servers: FreshDatabases | undefined;
  url = '';
  raw!: RawConnection;
  /** Everything every run printed, to look for keys in. */
  readonly printed: string[] = [];

  constructor(readonly kind: DrfTestKind) {
    this.#servers = kind === 'sqlite' ? undefined : new FreshDatabases(kind);
  }

  async open(): Promise<void> {
    if (this.#servers) {
      this.url = (await this.#servers.create({ migrated: true })).url;
    } else {
      this.url = this.sandbox.databaseUrl;
      const migrated = this.sandbox.run(['migrate']);
      assert.equal(migrated.status, 0, migrated.stderr);
    }
    this.raw = await openRaw(this.kind, this.url);
  }

  async close(): Promise<void> {
    await this.raw?.close();
    this.sandbox.cleanup();
    await this.#servers?.dropAll();
  }

  importDrf(...args: string[]): CliResult {
    const result = this.sandbox.run(['tokens', 'import-drf', ...args], {
      env: { DATABASE_URL: this.url },
    });
    this.printed.push(result.stdout, result.stderr);
    return result;
  }

  async withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
    const store = await openStore(this.url);
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  async createDrfTable(): Promise<void> {
    for (const statement of DRF_AUTHTOKEN_DDL[this.kind]) await this.raw.query(statement);
  }

  async insertDrfRow(key: string, userId: number, createdIso: string): Promise<void> {
    // `key` is a reserved word on MySQL, quoted as each database quotes a name.
    const column = this.kind === 'mysql' ? '`key`' : '"key"';
    await this.raw.query(
      `INSERT INTO authtoken_token (${column}, created, user_id) VALUES (?, ?, ?)`,
      [key, djangoTime(this.kind, createdIso), userId],
    );
  }

  /** The rows of tessera's tables and DRF's, in a stable order, as text. */
  async snapshot(): Promise<string> {
    const tables = (await this.raw.tables())
      .filter((name) => name.startsWith('tessera_') || name === 'authtoken_token')
      .filter((name) => !name.startsWith('tessera_migration'))
      .sort();
    const parts: string[] = [];
    for (const table of tables) {
      const rows = await this.raw.query(`SELECT * FROM ${table}`);
      // The reference server records token uses on its own schedule: not the import's doing.
      parts.push(
        table,
        ...rows.map((row) => JSON.stringify({ ...row, last_used: 'not compared' })).sort(),
      );
    }
    return parts.join('\n');
  }

  /** Every value of every table but DRF's own, as text. */
  async everythingButDrf(): Promise<string> {
    const parts: string[] = [];
    for (const table of await this.raw.tables()) {
      if (table === 'authtoken_token') continue;
      const rows = await this.raw.query(`SELECT * FROM ${table}`);
      parts.push(...rows.map((row) => JSON.stringify(row)));
    }
    return parts.join('\n');
  }
}

for (const kind of KINDS) {
  describe(`tessera tokens import-drf (${kind})`, () => {
    const db = new DrfTestDatabase(kind);
    const ids: Record<string, number> = {};
    const keys: Record<string, string> = {};
    const oldKeys: string[] = [];
    let carolTesseraKey = '';
    const created = {
      alice: '2019-03-04T05:06:07.123456Z',
      bob: '2020-01-02T03:04:05.000000Z',
      carol: '2021-06-07T08:09:10.500000Z',
      dave: '2022-12-31T23:59:59.999000Z',
      erin: '2023-01-01T00:00:00.000000Z',
    };
    // A reference server on the database, started once the keys are imported.
    let server: ServerNode | undefined;
    const answer = async (key: string) => {
      assert.ok(server);
      const { status, body } = await server.post('/api/build-trigger/', key);
      return `${status} ${body}`;
    };
    const skippedCarol = () => `  skipped user ${ids.carol} (carol): ${HELD}\n`;

    before(async () => {
      await db.open();
      await db.withStore(async (store) => {
        for (const [username, isActive] of [
          ['alice', true],
          ['bob', false],
          ['carol', true],
          ['dave', true],
          ['erin', true],
        ] as const) {
          const user = await store.createUser({
            username,
            password: '!unusable',
            isActive,
            dateJoined: new Date(),
          });
          ids[username] = user.id;
        }
        const issued = newToken({
          userId: ids.carol as number,
          kind: 'default',
          name: 'default',
          clock: systemClock,
        });
        await store.createToken(issued.row);
        carolTesseraKey = issued.key;
      });
    });
    after(async () => {
      await server?.stop();
      await db.close();
    });

    async function copyOf(key: string) {
      return db.withStore((store) => store.findTokenByDigest(sha256(key)));
    }

    test('without authtoken_token: one line, exit 1', () => {
      const result = db.importDrf();
      assert.equal(result.status, 1);
      assert.equal(result.stderr, MISSING);
      assert.equal(result.stdout, '');
    });

    test('--dry-run prints what it would do and changes nothing', async () => {
      await db.createDrfTable();
      for (const name of ['alice', 'bob', 'carol', 'dave'] as const) {
        keys[name] = drfKey();
        await db.insertDrfRow(keys[name], ids[name] as number, created[name]);
      }
      const before = await db.snapshot();
      const result = db.importDrf('--dry-run');
      assert.equal(result.status, 0, result.stderr);
      assert.equal(
        result.stdout,
        `Dry run, nothing changed: would import 3 DRF token(s), skip 1, remove 0.\n${skippedCarol()}`,
      );
      assert.equal(await db.snapshot(), before);
    });

    test("imports each row as a default token (digest only, scope *, DRF's created), an inactive user's too, and keeps a tessera default token", async () => {
      const result = db.importDrf();
      assert.equal(result.status, 0, result.stderr);
      assert.equal(
        result.stdout,
        `Imported 3 DRF token(s), skipped 1, removed 0.\n${skippedCarol()}`,
      );
      assert.equal(result.stderr, '');
      for (const name of ['alice', 'bob', 'dave'] as const) {
        const match = await copyOf(keys[name] as string);
        assert.ok(match, `${name}'s DRF key has no tessera copy`);
        assert.equal(match.user.id, ids[name]);
        assert.equal(match.token.kind, 'default');
        assert.equal(match.token.name, 'default');
        assert.deepEqual(match.token.scopes, ['*']);
        assert.equal(match.token.expires, null);
        // Django keeps microseconds; a JavaScript date keeps milliseconds.
        assert.equal(
          match.token.created.toISOString(),
          created[name].replace(/(\.\d{3})\d{3}/, '$1'),
        );
        const [stored] = await db.raw.query('SELECT digest FROM tessera_token WHERE id = ?', [
          match.token.id,
        ]);
        assert.equal(stored?.digest, sha256(keys[name] as string));
      }
      // The inactive user's copy exists: authentication answers "User inactive or deleted.".
      assert.equal((await copyOf(keys.bob as string))?.user.isActive, false);
      // Carol keeps the key tessera issued her; her DRF key is not copied.
      assert.equal((await copyOf(carolTesseraKey))?.user.id, ids.carol);
      assert.equal(await copyOf(keys.carol as string), null);
    });

    test('the imported keys authenticate on the reference server; the inactive user is refused as DRF refuses', async () => {
      server = await ServerNode.start({ DATABASE_URL: db.url });
      assert.equal(await answer(keys.alice as string), '200 ');
      assert.equal(await answer(keys.dave as string), '200 ');
      assert.equal(await answer(keys.bob as string), `401 ${INACTIVE}`);
      assert.equal(await answer(keys.carol as string), `401 ${INVALID}`);
      assert.equal(await answer(carolTesseraKey), '200 ');
    });

    test('a second run imports nothing and changes nothing', async () => {
      const before = await db.snapshot();
      const result = db.importDrf();
      assert.equal(result.status, 0, result.stderr);
      assert.equal(
        result.stdout,
        'Imported 0 DRF token(s), skipped 4, removed 0.\n' +
          `  3 of the skipped were already imported\n${skippedCarol()}`,
      );
      assert.equal(await db.snapshot(), before);
    });

    test('a DRF row deleted in Django: the next run removes its copy, as a revocation every node hears', async (t) => {
      const daveToken = (await copyOf(keys.dave as string))?.token.id;
      assert.ok(daveToken);
      const heard: string[] = [];
      let listener: pg.Client | undefined;
      if (kind === 'postgres') {
        listener = new pg.Client({ connectionString: db.url });
        await listener.connect();
        listener.on('notification', (message) => heard.push(message.payload ?? ''));
        await listener.query('LISTEN tessera_invalidation');
      }
      try {
        await db.raw.query('DELETE FROM authtoken_token WHERE user_id = ?', [ids.dave]);
        const result = db.importDrf();
        assert.equal(result.status, 0, result.stderr);
        assert.equal(
          result.stdout,
          'Imported 0 DRF token(s), skipped 3, removed 1.\n' +
            `  2 of the skipped were already imported\n${skippedCarol()}`,
        );
        assert.equal(await copyOf(keys.dave as string), null);
        // The running server had dave's key cached from the earlier test: it refuses it now.
        const took = await within(2000, "dave's removed key refused", async () => {
          return (await answer(keys.dave as string)) === `401 ${INVALID}`;
        });
        t.diagnostic(`removed key refused by the running server ${took} ms after the run`);
        if (listener) {
          const deadline = Date.now() + 2000;
          while (!heard.includes(`{"tokenId":${daveToken}}`) && Date.now() < deadline) {
            await new Promise((done) => setTimeout(done, 20));
          }
          assert.ok(heard.includes(`{"tokenId":${daveToken}}`), `heard ${heard.join(', ')}`);
        } else {
          // The change log every node polls names the token.
          const logged = await db.raw.query(
            'SELECT token_id FROM tessera_change WHERE token_id = ?',
            [daveToken],
          );
          assert.equal(logged.length, 1);
        }
      } finally {
        await listener?.end();
      }
    });

    test('a key changed in Django replaces its copy', async () => {
      const old = keys.alice as string;
      oldKeys.push(old, keys.dave as string);
      keys.alice = drfKey();
      created.alice = '2024-02-29T12:00:00.250000Z';
      // What `drf_create_token -r` does: the old row goes, a new one comes.
      await db.raw.query('DELETE FROM authtoken_token WHERE user_id = ?', [ids.alice]);
      await db.insertDrfRow(keys.alice, ids.alice as number, created.alice);
      const result = db.importDrf();
      assert.equal(result.status, 0, result.stderr);
      assert.equal(
        result.stdout,
        'Imported 1 DRF token(s), skipped 2, removed 0.\n' +
          '  1 of the imported replaced a copy whose DRF key changed\n' +
          `  1 of the skipped were already imported\n${skippedCarol()}`,
      );
      assert.equal(await copyOf(old), null);
      const match = await copyOf(keys.alice);
      assert.equal(match?.user.id, ids.alice);
      assert.equal(match?.token.created.toISOString(), '2024-02-29T12:00:00.250Z');
    });

    test('--delete-plaintext that fails part-way leaves every table as it was', async () => {
      keys.erin = drfKey();
      await db.insertDrfRow(keys.erin, ids.erin as number, created.erin);
      // Bob's row is deleted after the batch's copies are written: the failure must undo them.
      for (const statement of refuseDrfDeleteStatements(kind, ids.bob as number)) {
        await db.raw.query(statement);
      }
      try {
        const before = await db.snapshot();
        const result = db.importDrf('--delete-plaintext');
        assert.equal(result.status, 1);
        assert.equal(result.stdout, '');
        assert.match(
          result.stderr,
          /^CommandError: the database is unavailable: .*refused by the test[^\n]*\n$/,
        );
        assert.equal(await db.snapshot(), before);
        assert.equal(await copyOf(keys.erin), null);
      } finally {
        for (const statement of allowDrfDeleteStatements(kind)) await db.raw.query(statement);
      }
    });

    test('--delete-plaintext deletes exactly the rows whose keys tessera holds, in the same run', async () => {
      const result = db.importDrf('--delete-plaintext');
      assert.equal(result.status, 0, result.stderr);
      assert.equal(
        result.stdout,
        'Imported 1 DRF token(s), skipped 3, removed 0.\n' +
          `  2 of the skipped were already imported\n${skippedCarol()}` +
          '  deleted 3 row(s) from authtoken_token\n',
      );
      const left = await db.raw.query('SELECT user_id FROM authtoken_token');
      assert.deepEqual(
        left.map((row) => Number(row.user_id)),
        [ids.carol],
      );
    });

    test('after --delete-plaintext, later runs keep the copies whose DRF rows tessera deleted', async () => {
      const result = db.importDrf();
      assert.equal(result.status, 0, result.stderr);
      assert.equal(
        result.stdout,
        `Imported 0 DRF token(s), skipped 1, removed 0.\n${skippedCarol()}`,
      );
      for (const name of ['alice', 'bob', 'erin'] as const) {
        assert.equal((await copyOf(keys[name] as string))?.user.id, ids[name], name);
      }
    });

    test("no plaintext key in any output or in any table but DRF's", async () => {
      const stored = await db.everythingButDrf();
      const printed = db.printed.join('\n');
      const all = [...Object.values(keys), ...oldKeys];
      assert.equal(all.length, 7);
      for (const key of all) {
        assert.ok(!stored.includes(key), 'a plaintext DRF key is in a table');
        assert.ok(!printed.includes(key), 'a plaintext DRF key was printed');
      }
      assert.ok(stored.includes(sha256(keys.erin as string)), 'the scan reads the digests');
    });
  });
}
