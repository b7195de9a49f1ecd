import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { mountView } from '../../src/adapters/fastify.js';
import { and } from '../../src/core/auth/permission-composition.js';
import { IsAuthenticated } from '../../src/core/auth/permissions.js';
import {
  DEFAULT_SETTINGS,
  settingsOwnedBy,
  type TesseraSettings,
} from '../../src/core/config/settings.js';
import type { TesseraEventMap } from '../../src/core/events.js';
import { defineView } from '../../src/core/http/view.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { createTessera, type Tessera } from '../../src/core/tessera.js';
import { ManualClock } from '../../src/core/time/clock.js';
import { HasScope } from '../../src/core/tokens/scopes.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createNamedToken } from '../../src/core/tokens/token-management.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { sendRaw } from '../parity/raw-http-client.js';

const MINUTE = 60_000;
const settings: TesseraSettings = { ...DEFAULT_SETTINGS, passwordIterations: 1000 };

/** The reference server on a SQLite file, a manual clock, and a user with a `*` default token. */
class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'tessera-lifecycle-'));
  readonly filename = join(this.dir, 'db.sqlite3');
  readonly clock = new ManualClock(Date.UTC(2026, 5, 1));
  readonly events: { name: keyof TesseraEventMap; payload: unknown }[] = [];
  readonly backgroundErrors: unknown[] = [];
  store!: Store;
  tessera!: Tessera;
  app!: FastifyInstance;
  url = '';
  adminKey = '';
  userId = 0;

  async start(extra: Partial<TesseraSettings> = {}, routes?: (app: FastifyInstance) => void) {
    this.store = openSqliteStore({ filename: this.filename });
    await this.store.migrate();
    const passwords = new PasswordHasher({ iterations: 1000 });
    const user = await createUser(this.store, passwords, this.clock, {
      username: `ann${Math.random().toString(36).slice(2, 8)}`,
      password: 'ann-password',
    });
    this.userId = user.id;
    this.adminKey = (await issueDefaultToken(this.store, user.id, this.clock)).key;
    const all = { ...settings, ...extra };
    this.tessera = createTessera({
      store: this.store,
      settings: settingsOwnedBy('library', all),
      clock: this.clock,
      passwords,
      onBackgroundError: (error) => this.backgroundErrors.push(error),
    });
    for (const name of [
      'authenticated',
      'authentication_failed',
      'token_created',
      'token_rotated',
      'token_revoked',
    ] as const) {
      this.tessera.events.on(name, (payload) => this.events.push({ name, payload }));
    }
    this.app = await buildServer({
      store: this.store,
      settings: all,
      logger: false,
      tessera: this.tessera,
    });
    routes?.(this.app);
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    this.url = `http://127.0.0.1:${(this.app.server.address() as AddressInfo).port}`;
  }

  async call(method: string, path: string, key?: string, json?: unknown) {
    const response = await sendRaw(this.url, {
      method,
      path,
      headers: {
        ...(key ? { Authorization: `Token ${key}` } : {}),
        ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
  }

  async stop() {
    await this.app.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('expiry', () => {
  const h = new Harness();
  before(() => h.start());
  after(() => h.stop());

  test('a token is valid until the instant it expires, then 401 "Token has expired."', async () => {
    const created = await h.call('POST', '/api/tokens/', h.adminKey, {
      name: 'short',
      expires_in: '1m',
    });
    assert.equal(created.status, 201);
    assert.equal(created.json.expires, new Date(h.clock.now() + MINUTE).toISOString());
    h.clock.advance(MINUTE - 1);
    assert.equal((await h.call('POST', '/api/build-trigger/', created.json.key)).status, 200);
    h.clock.advance(1);
    const expired = await h.call('POST', '/api/build-trigger/', created.json.key);
    assert.equal(expired.status, 401);
    assert.equal(expired.body, '{"detail":"Token has expired."}');
    assert.equal(expired.headers['www-authenticate'], 'Token');
    assert.ok(
      h.events.some(
        (e) =>
          e.name === 'authentication_failed' &&
          (e.payload as { reason: string }).reason === 'expired',
      ),
    );
  });

  test('tokens prune-able through the store once expired', async () => {
    const pruned = await h.store.deleteExpiredTokens(new Date(h.clock.now()));
    assert.equal(pruned, 1);
  });
});

describe('sliding expiry', () => {
  const h = new Harness();
  before(() => h.start());
  after(() => h.stop());

  test('each use moves the expiry forward by the lifetime, never past the maximum age', async () => {
    const start = h.clock.now();
    const created = await h.call('POST', '/api/tokens/', h.adminKey, {
      name: 'sliding',
      expires_in: '10m',
      sliding: true,
      max_age: '30m',
    });
    assert.equal(created.status, 201, created.body);
    const key = created.json.key as string;
    const id = created.json.id as number;
    const expiresOf = async () => (await h.store.getToken(id))?.expires?.getTime();
    assert.equal(await expiresOf(), start + 10 * MINUTE);

    for (const [at, expected] of [
      [5, 15],
      [14, 24],
      [23, 30],
      [29, 30],
    ] as const) {
      h.clock.set(start + at * MINUTE);
      assert.equal((await h.call('POST', '/api/build-trigger/', key)).status, 200, `use at ${at}m`);
      await h.tessera.usage.flush();
      assert.equal(await expiresOf(), start + expected * MINUTE, `after the use at ${at}m`);
    }
    h.clock.set(start + 30 * MINUTE);
    assert.equal(
      (await h.call('POST', '/api/build-trigger/', key)).body,
      '{"detail":"Token has expired."}',
    );
  });

  test('a sliding token needs expires_in and max_age', async () => {
    const response = await h.call('POST', '/api/tokens/', h.adminKey, {
      name: 's2',
      sliding: true,
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.json, {
      expires_in: ['Required for a sliding token.'],
      max_age: ['Required for a sliding token.'],
    });
  });
});

describe('last used: never on the response path', () => {
  const h = new Harness();
  before(() => h.start());
  after(() => h.stop());

  test('the database does not change for a token used twice within a minute', async () => {
    const observer = new Database(h.filename, { readonly: true });
    const version = () => observer.pragma('data_version', { simple: true }) as number;
    const before = version();
    assert.equal((await h.call('POST', '/api/build-trigger/', h.adminKey)).status, 200);
    assert.equal(version(), before, 'the first use wrote on the response path');
    await h.tessera.usage.flush();
    const afterFirst = version();
    assert.notEqual(afterFirst, before, 'the batched write did not happen');
    const token = (await h.store.listTokens({ userId: h.userId }))[0];
    assert.deepEqual(token?.lastUsed, new Date(h.clock.now()));

    h.clock.advance(MINUTE - 1);
    assert.equal((await h.call('POST', '/api/build-trigger/', h.adminKey)).status, 200);
    await h.tessera.usage.flush();
    assert.equal(version(), afterFirst, 'a second use within a minute wrote');

    h.clock.advance(1);
    assert.equal((await h.call('POST', '/api/build-trigger/', h.adminKey)).status, 200);
    await h.tessera.usage.flush();
    assert.notEqual(version(), afterFirst, 'a use a minute later did not write');
    observer.close();
  });

  test('a last-used write that fails for real does not fail the request', async () => {
    const db = new Database(h.filename);
    db.exec(`CREATE TRIGGER refuse_last_used BEFORE UPDATE OF last_used ON tessera_token
             BEGIN SELECT RAISE(ABORT, 'last_used refused'); END`);
    h.clock.advance(2 * MINUTE);
    assert.equal((await h.call('POST', '/api/build-trigger/', h.adminKey)).status, 200);
    await h.tessera.usage.flush();
    assert.equal(h.backgroundErrors.length, 1);
    assert.match(String((h.backgroundErrors[0] as Error).cause), /last_used refused/);
    // The next use is fine too and notes the use again; once the trigger is gone it is written.
    h.clock.advance(1);
    const retriedAt = h.clock.now();
    assert.equal((await h.call('POST', '/api/build-trigger/', h.adminKey)).status, 200);
    db.exec('DROP TRIGGER refuse_last_used');
    db.close();
    await h.tessera.usage.flush();
    const token = (await h.store.listTokens({ userId: h.userId }))[0];
    assert.deepEqual(token?.lastUsed, new Date(retriedAt));
  });
});

describe('last used can be switched off', () => {
  const h = new Harness();
  before(() => h.start({ trackLastUsed: false }));
  after(() => h.stop());

  test('no last_used is recorded', async () => {
    assert.equal((await h.call('POST', '/api/build-trigger/', h.adminKey)).status, 200);
    await h.tessera.usage.flush();
    assert.equal((await h.store.listTokens({ userId: h.userId }))[0]?.lastUsed, null);
  });
});

describe('scopes', () => {
  const h = new Harness();
  before(() =>
    h.start({}, (app) => {
      const auth = [h.tessera.tokenAuthentication];
      mountView(
        app,
        '/scoped/',
        defineView({
          authentication: auth,
          permissions: [HasScope('builds:trigger')],
          post: () => {},
        }),
      );
      mountView(
        app,
        '/two-scopes/',
        defineView({ authentication: auth, permissions: [HasScope('a', 'b')], post: () => {} }),
      );
      mountView(
        app,
        '/composed/',
        defineView({
          authentication: auth,
          permissions: [and(IsAuthenticated, HasScope('deploy'))],
          post: () => {},
        }),
      );
    }),
  );
  after(() => h.stop());

  async function tokenWith(name: string, scopes: string[]) {
    const created = await h.call('POST', '/api/tokens/', h.adminKey, { name, scopes });
    assert.equal(created.status, 201, created.body);
    return created.json.key as string;
  }

  test('a token with the scope passes; without it, 403 naming the scope', async () => {
    const ci = await tokenWith('ci', ['builds:trigger']);
    assert.equal((await h.call('POST', '/scoped/', ci)).status, 200);
    const other = await tokenWith('other', ['deploy']);
    const denied = await h.call('POST', '/scoped/', other);
    assert.equal(denied.status, 403);
    assert.equal(denied.body, '{"detail":"This token lacks the scope builds:trigger."}');
    const partial = await tokenWith('partial', ['a']);
    assert.equal(
      (await h.call('POST', '/two-scopes/', partial)).body,
      '{"detail":"This token lacks the scope b."}',
    );
    const none = await tokenWith('none', ['x']);
    assert.equal(
      (await h.call('POST', '/two-scopes/', none)).body,
      '{"detail":"This token lacks the scopes a, b."}',
    );
    assert.equal((await h.call('POST', '/two-scopes/', h.adminKey)).status, 200);
  });

  test('composed: the default 403 text; anonymous: 401', async () => {
    const ci = await tokenWith('ci2', ['builds:trigger']);
    const composed = await h.call('POST', '/composed/', ci);
    assert.equal(composed.status, 403);
    assert.equal(composed.body, '{"detail":"You do not have permission to perform this action."}');
    const anonymous = await h.call('POST', '/scoped/');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body, '{"detail":"Authentication credentials were not provided."}');
  });

  test('the tokens scope guards the token API; * includes it', async () => {
    const ci = await tokenWith('ci3', ['builds:trigger']);
    for (const [method, path] of [
      ['GET', '/api/tokens/'],
      ['POST', '/api/tokens/'],
      ['GET', '/api/tokens/1/'],
      ['DELETE', '/api/tokens/1/'],
      ['POST', '/api/tokens/1/rotate/'],
      ['POST', '/api-token-auth/logoutall/'],
    ]) {
      const response = await h.call(
        method as string,
        path as string,
        ci,
        method === 'POST' ? { name: 'x' } : undefined,
      );
      assert.equal(response.status, 403, `${method} ${path}`);
      assert.equal(response.body, '{"detail":"This token lacks the scope tokens."}');
    }
    const manager = await tokenWith('manager', ['tokens', 'builds:trigger']);
    assert.equal((await h.call('GET', '/api/tokens/', manager)).status, 200);
  });

  test('minted tokens: scopes a subset of the creator, expiry no later than the creator', async () => {
    const manager = await h.call('POST', '/api/tokens/', h.adminKey, {
      name: 'narrow-manager',
      scopes: ['tokens', 'builds:trigger'],
      expires_in: '1h',
    });
    const key = manager.json.key as string;
    const wider = await h.call('POST', '/api/tokens/', key, { name: 'w', scopes: ['deploy'] });
    assert.equal(wider.status, 400);
    assert.deepEqual(wider.json, {
      scopes: ['Cannot grant scopes the requesting token lacks: deploy.'],
    });
    const star = await h.call('POST', '/api/tokens/', key, { name: 'w', scopes: ['*'] });
    assert.deepEqual(star.json, { scopes: ['Cannot grant scopes the requesting token lacks: *.'] });
    const longer = await h.call('POST', '/api/tokens/', key, { name: 'w', expires_in: '2h' });
    assert.equal(longer.status, 400);
    assert.match(longer.json.expires_in[0], /^Cannot outlive the requesting token, which expires /);
    const inherits = await h.call('POST', '/api/tokens/', key, { name: 'w' });
    assert.equal(inherits.status, 201);
    assert.equal(inherits.json.expires, manager.json.expires);
    assert.deepEqual(inherits.json.scopes, ['tokens', 'builds:trigger']);
    const narrower = await h.call('POST', '/api/tokens/', key, {
      name: 'n',
      scopes: ['builds:trigger'],
      expires_in: '30m',
    });
    assert.equal(narrower.status, 201);
  });
});

describe('token API', () => {
  const h = new Harness();
  before(() => h.start());
  after(() => h.stop());

  test('create shows the key once; list and detail never show a key or digest', async () => {
    const created = await h.call('POST', '/api/tokens/', h.adminKey, {
      name: 'laptop',
      scopes: ['builds:trigger'],
    });
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.json).sort(), [
      'created',
      'expires',
      'id',
      'key',
      'kind',
      'last_used',
      'name',
      'preview',
      'scopes',
    ]);
    assert.match(created.json.key, /^tsr_[0-9A-Za-z]{38}$/);
    assert.equal(created.json.preview, created.json.key.slice(0, 8));
    assert.equal(created.json.kind, 'named');
    assert.match(created.json.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const list = await h.call('GET', '/api/tokens/', h.adminKey);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json.map((t: { name: string }) => t.name),
      ['default', 'laptop'],
    );
    for (const token of list.json) {
      assert.deepEqual(Object.keys(token).sort(), [
        'created',
        'expires',
        'id',
        'kind',
        'last_used',
        'name',
        'preview',
        'scopes',
      ]);
    }
    assert.ok(!list.body.includes(created.json.key));
    const digest = (await import('../../src/core/tokens/key-format.js')).keyDigest(
      created.json.key,
    );
    assert.ok(!list.body.includes(digest));
    const detail = await h.call('GET', `/api/tokens/${created.json.id}/`, h.adminKey);
    assert.equal(detail.status, 200);
    assert.ok(!detail.body.includes(created.json.key));
  });

  test('field errors in DRF shape', async () => {
    const cases: [unknown, unknown][] = [
      [{}, { name: ['This field is required.'] }],
      [{ name: '' }, { name: ['This field may not be blank.'] }],
      [{ name: 'default' }, { name: ['"default" is a reserved name.'] }],
      [{ name: 'login' }, { name: ['"login" is a reserved name.'] }],
      [{ name: 'laptop' }, { name: ['A token with this name already exists.'] }],
      [
        { name: 'x', expires_in: '30 days' },
        {
          expires_in: [
            'Enter a duration: a whole number and one unit of s, m, h, d or w, such as 30d.',
          ],
        },
      ],
      [
        { name: 'x', scopes: 'builds' },
        { scopes: ['Expected a list of items but got type "str".'] },
      ],
      [{ name: 'x', scopes: ['has space'] }, { scopes: ['Not a valid scope: has space.'] }],
      [
        { name: 'x', expires_in: '18251d' },
        { expires_in: ['Ensure this value is less than or equal to 18250d (50 years).'] },
      ],
      [{ name: 'x\u0000' }, { name: ['Null characters are not allowed.'] }],
      [{ name: 'x\ud800' }, { name: ['Surrogate characters are not allowed: U+D800.'] }],
      [{ name: 'x\u001b[31m' }, { name: ['Control characters are not allowed: U+001B.'] }],
      [
        { name: `${'x'.repeat(151)}\u0000` },
        {
          name: [
            'Ensure this field has no more than 150 characters.',
            'Null characters are not allowed.',
          ],
        },
      ],
      [[1], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
    ];
    for (const [body, expected] of cases) {
      const response = await h.call('POST', '/api/tokens/', h.adminKey, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.deepEqual(response.json, expected, JSON.stringify(body));
    }
  });

  test('rotate: a new key, same id, name, scopes and expiry; the old key stops at once', async () => {
    const created = await h.call('POST', '/api/tokens/', h.adminKey, {
      name: 'rotating',
      scopes: ['builds:trigger'],
      expires_in: '1d',
    });
    const rotated = await h.call('POST', `/api/tokens/${created.json.id}/rotate/`, h.adminKey);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.json.key, created.json.key);
    for (const field of ['id', 'name', 'scopes', 'expires', 'created']) {
      assert.deepEqual(rotated.json[field], created.json[field], field);
    }
    assert.equal(
      (await h.call('POST', '/api/build-trigger/', created.json.key)).body,
      '{"detail":"Invalid token."}',
    );
    assert.equal((await h.call('POST', '/api/build-trigger/', rotated.json.key)).status, 200);
    assert.ok(h.events.some((e) => e.name === 'token_rotated'));
  });

  test("delete: 204, then the key is refused; another user's token is 404", async () => {
    const created = await h.call('POST', '/api/tokens/', h.adminKey, { name: 'doomed' });
    const deleted = await h.call('DELETE', `/api/tokens/${created.json.id}/`, h.adminKey);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, '');
    assert.equal((await h.call('POST', '/api/build-trigger/', created.json.key)).status, 401);
    assert.equal(
      (await h.call('DELETE', `/api/tokens/${created.json.id}/`, h.adminKey)).status,
      404,
    );

    const passwords = new PasswordHasher({ iterations: 1000 });
    const bob = await createUser(h.store, passwords, h.clock, {
      username: 'bob-other',
      password: 'x',
    });
    const bobs = await createNamedToken({ store: h.store, clock: h.clock }, bob.id, {
      name: 'bobs',
    });
    for (const [method, path] of [
      ['GET', `/api/tokens/${bobs.token.id}/`],
      ['DELETE', `/api/tokens/${bobs.token.id}/`],
      ['POST', `/api/tokens/${bobs.token.id}/rotate/`],
      ['GET', '/api/tokens/abc/'],
    ]) {
      const response = await h.call(method as string, path as string, h.adminKey);
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.body, '{"detail":"Not found."}');
    }
    assert.equal((await h.call('POST', '/api/build-trigger/', bobs.key)).status, 200);
  });
});

describe('logout and logoutall', () => {
  const h = new Harness();
  before(() => h.start());
  after(() => h.stop());

  async function login(): Promise<string> {
    const response = await h.call('POST', '/api-token-auth/', undefined, {
      username: (await h.store.getUserById(h.userId))?.username,
      password: 'ann-password',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.json), ['token']);
    return response.json.token;
  }

  test('logout deletes only the token that made the request', async () => {
    const [a, b] = [await login(), await login()];
    const response = await h.call('POST', '/api-token-auth/logout/', a);
    assert.equal(response.status, 204);
    assert.equal(response.body, '');
    assert.equal((await h.call('POST', '/api/build-trigger/', a)).status, 401);
    assert.equal((await h.call('POST', '/api/build-trigger/', b)).status, 200);
    assert.equal((await h.call('POST', '/api-token-auth/logout/')).status, 401);
  });

  test('logoutall deletes every token of the user', async () => {
    const a = await login();
    const response = await h.call('POST', '/api-token-auth/logoutall/', a);
    assert.equal(response.status, 204);
    for (const key of [a, h.adminKey]) {
      assert.equal((await h.call('POST', '/api/build-trigger/', key)).status, 401);
    }
    assert.deepEqual(await h.store.listTokens({ userId: h.userId }), []);
    const revoked = h.events.find(
      (e) => e.name === 'token_revoked' && (e.payload as { reason: string }).reason === 'logoutall',
    );
    assert.ok(revoked);
  });
});

describe('login token lifetime', () => {
  const h = new Harness();
  before(() => h.start({ loginTokenLifetimeSeconds: 3600 }));
  after(() => h.stop());

  test('obtain-token adds "expires" when login tokens have a lifetime', async () => {
    const response = await h.call('POST', '/api-token-auth/', undefined, {
      username: (await h.store.getUserById(h.userId))?.username,
      password: 'ann-password',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.json), ['token', 'expires']);
    assert.equal(response.json.expires, new Date(h.clock.now() + 3600_000).toISOString());
    h.clock.advance(3600_000);
    assert.equal(
      (await h.call('POST', '/api/build-trigger/', response.json.token)).body,
      '{"detail":"Token has expired."}',
    );
  });
});
