import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { TokenAuthentication } from '../../src/core/auth/token-authentication.js';
import {
  DEFAULT_SETTINGS,
  type TesseraSettings,
  THROTTLING_OFF,
} from '../../src/core/config/settings.js';
import type { ViewRequest } from '../../src/core/http/request.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { forwardAuthView, usernameHeaderValue } from '../../src/core/views/forward-auth.js';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/stores/open-store.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { type People, seedPeople } from './support/people.js';

const passwords = new PasswordHasher({ iterations: 1000 });
const settings: TesseraSettings = { ...DEFAULT_SETTINGS, passwordIterations: 1000, numProxies: 1 };
const INVALID = '{"detail":"Invalid token."}';

function assertIdentity(response: LightMyRequestResponse, people: People, what = ''): void {
  assert.equal(response.statusCode, 200, `${what} ${response.body}`);
  assert.equal(response.body, '');
  assert.equal(response.headers['content-type'], undefined);
  assert.equal(response.headers['cache-control'], 'no-store');
  assert.equal(response.headers['x-tessera-user-id'], String(people.aliceId));
  assert.equal(response.headers['x-tessera-username'], 'alice');
  assert.equal(response.headers['x-tessera-scopes'], '*');
  assert.equal(response.headers['x-tessera-token-id'], String(people.tokenIds.all));
  assert.equal(response.headers['x-tessera-error'], undefined);
}

function assertRefusal(response: LightMyRequestResponse, status: number, body: string): void {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.body, body);
  assert.equal(response.headers['content-type'], 'application/json');
  assert.equal(response.headers['cache-control'], 'no-store');
  assert.equal(response.headers['x-tessera-error'], body, 'the body, repeated for nginx');
  assert.equal(response.headers['x-tessera-user-id'], undefined);
  if (status === 401) assert.equal(response.headers['www-authenticate'], 'Token');
}

describe('GET /auth/verify/ on the reference server (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-verify-'));
  let store: Store;
  let app: FastifyInstance;
  let people: People;

  before(async () => {
    store = openSqliteStore({ filename: join(dir, 'db.sqlite3') });
    await store.migrate();
    people = await seedPeople(store);
    app = await buildServer({ store, settings, passwords, logger: false });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const verify = (options: Omit<InjectOptions, 'url'> & { path?: string } = {}) => {
    const { path = '/auth/verify/', ...rest } = options;
    return app.inject({ method: 'GET', url: path, ...rest });
  };
  const token = (key: string) => ({ authorization: `Token ${key}` });

  test('a valid token: 200, empty body, the identity headers, no-store', async () => {
    assertIdentity(await verify({ headers: token(people.keys.all) }), people);
  });

  test('any method is verified alike, and no body is read', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const) {
      const response = await verify({
        method,
        headers: { ...token(people.keys.all), 'content-type': 'application/json' },
        ...(method === 'HEAD' || method === 'OPTIONS' ? {} : { payload: '{not json' }),
      });
      assertIdentity(response, people, method);
    }
    assertRefusal(
      await verify({ method: 'POST', payload: 'x' }),
      401,
      '{"detail":"Authentication credentials were not provided."}',
    );
  });

  test('the client’s Accept and ?format= are not negotiated (no 406 for a browser)', async () => {
    const headers = { ...token(people.keys.all), accept: 'text/html' };
    assertIdentity(await verify({ headers }), people);
    assertIdentity(await verify({ headers, path: '/auth/verify/?format=xml' }), people);
  });

  test('a non-ASCII username is percent-encoded as UTF-8', async () => {
    const response = await verify({ headers: token(people.keys.zoe) });
    assert.equal(response.headers['x-tessera-username'], 'zo%C3%AB');
    assert.equal(response.headers['x-tessera-user-id'], String(people.zoeId));
  });

  test('missing and bad credentials: 401 with DRF’s body and WWW-Authenticate: Token', async () => {
    assertRefusal(
      await verify(),
      401,
      '{"detail":"Authentication credentials were not provided."}',
    );
    assertRefusal(
      await verify({ headers: { authorization: 'Token' } }),
      401,
      '{"detail":"Invalid token header. No credentials provided."}',
    );
    assertRefusal(await verify({ headers: token(`tsr_${'0'.repeat(38)}`) }), 401, INVALID);
    assertRefusal(
      await verify({ headers: token(people.keys.bob) }),
      401,
      '{"detail":"User inactive or deleted."}',
    );
  });

  test('?scope= is required, repeatable (all needed), and named as HasScope names it', async () => {
    const reports = token(people.keys.reports);
    assert.equal(
      (await verify({ path: '/auth/verify/?scope=reports', headers: reports })).statusCode,
      200,
    );
    assert.equal(
      (await verify({ path: '/auth/verify/?scope=reports', headers: reports })).headers[
        'x-tessera-scopes'
      ],
      'reports',
    );
    assertRefusal(
      await verify({ path: '/auth/verify/?scope=reports&scope=export', headers: reports }),
      403,
      '{"detail":"This token lacks the scope export."}',
    );
    assertRefusal(
      await verify({
        path: '/auth/verify/?scope=billing&scope=reports&scope=export',
        headers: token(people.keys.orders),
      }),
      403,
      '{"detail":"This token lacks the scopes billing, reports, export."}',
    );
    // `*` grants every scope; without credentials a scoped location is still 401, not 403.
    assert.equal(
      (await verify({ path: '/auth/verify/?scope=a&scope=b', headers: token(people.keys.all) }))
        .statusCode,
      200,
    );
    assertRefusal(
      await verify({ path: '/auth/verify/?scope=reports' }),
      401,
      '{"detail":"Authentication credentials were not provided."}',
    );
  });

  test('a scope the configuration spells wrongly fails closed (500)', async () => {
    for (const query of ['scope=*', 'scope=', 'scope=a%20b']) {
      const response = await verify({
        path: `/auth/verify/?${query}`,
        headers: token(people.keys.all),
      });
      assert.equal(response.statusCode, 500, query);
      assert.equal(response.headers['x-tessera-user-id'], undefined);
      assert.equal(response.headers['cache-control'], 'no-store');
    }
  });

  test('the key-guessing limit counts each X-Forwarded-For client (TESSERA_NUM_PROXIES=1) alone', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let n = 0; n < 60; n++) {
      const response = await verify({
        headers: { ...from('198.51.100.1'), ...token(`tsr_${String(n).padStart(38, '0')}`) },
      });
      assert.equal(response.statusCode, 401);
    }
    const throttled = await verify({
      headers: { ...from('198.51.100.1'), ...token(people.keys.all) },
    });
    assert.equal(throttled.statusCode, 429);
    assert.match(String(throttled.headers['retry-after']), /^\d+$/);
    assert.equal(throttled.headers['x-tessera-error'], throttled.body);
    assert.equal(throttled.headers['cache-control'], 'no-store');
    assertIdentity(
      await verify({ headers: { ...from('198.51.100.2'), ...token(people.keys.all) } }),
      people,
    );
  });
  test('an adapter that cannot list repeated ?scope= values fails closed (500)', async () => {
    const view = forwardAuthView(new TokenAuthentication({ store }));
    const reported: unknown[] = [];
    const request = (scope: string | undefined): ViewRequest => ({
      method: 'GET',
      header: (name) => (name === 'authorization' ? `Token ${people.keys.reports}` : undefined),
      query: (name) => (name === 'scope' ? scope : undefined),
      readBody: async () => new Uint8Array(0),
      remoteAddress: '127.0.0.1',
    });
    const unscoped = await view.handle(request(undefined));
    assert.equal(unscoped.status, 200);
    assert.equal(unscoped.headers['x-tessera-scopes'], 'reports');
    const scoped = await view.handle(request('reports'), { reportError: (e) => reported.push(e) });
    assert.equal(scoped.status, 500);
    assert.equal(scoped.headers['x-tessera-user-id'], undefined);
    assert.match(String(reported[0]), /queryAll/);
  });
});

describe('GET /auth/verify/ with the store down (PostgreSQL through a proxy the test cuts)', () => {
  const databases = new FreshDatabases('postgres');
  let proxy: TcpProxy;
  let store: Store;
  let app: FastifyInstance;
  let people: People;

  before(async () => {
    const database = await databases.create();
    const target = new URL(database.url);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const storeSettings = { dbConnectTimeoutMs: 400, dbStatementTimeoutMs: 600 };
    const faultSettings: TesseraSettings = { ...settings, ...THROTTLING_OFF, ...storeSettings };
    store = await openStore(proxy.route(database.url), storeSettings);
    await store.migrate();
    people = await seedPeople(store);
    app = await buildServer({ store, settings: faultSettings, passwords, logger: false });
  });
  after(async () => {
    await app.close();
    await store.close();
    await proxy.close();
    await databases.dropAll();
  });

  test('503 with DRF’s body (never 401), then 200 again once the store is back', async () => {
    const request = () =>
      app.inject({
        method: 'GET',
        url: '/auth/verify/',
        headers: { authorization: `Token ${people.keys.all}` },
      });
    assert.equal((await request()).statusCode, 200);
    proxy.cut();
    assertRefusal(await request(), 503, '{"detail":"Service temporarily unavailable."}');
    proxy.restore();
    let answer = await request();
    for (let attempt = 0; attempt < 50 && answer.statusCode !== 200; attempt++) {
      await new Promise((done) => setTimeout(done, 100));
      answer = await request();
    }
    assertIdentity(answer, people);
  });
});

test('usernameHeaderValue keeps printable ASCII and percent-encodes the rest as UTF-8', () => {
  assert.equal(usernameHeaderValue('alice.b+c@example.com'), 'alice.b+c@example.com');
  assert.equal(usernameHeaderValue('zoë'), 'zo%C3%AB');
  assert.equal(usernameHeaderValue('李雷'), '%E6%9D%8E%E9%9B%B7');
  assert.equal(usernameHeaderValue('a b%c'), 'a%20b%25c');
  assert.equal(usernameHeaderValue('😀'), '%F0%9F%98%80');
  for (const name of ['zoë', 'a b%c', '😀', 'Ωmega_1', 'x\ty']) {
    assert.equal(decodeURIComponent(usernameHeaderValue(name)), name);
  }
});
