import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  DEFAULT_SETTINGS,
  settingsOwnedBy,
  type TesseraSettings,
  THROTTLING_OFF,
} from '../../src/core/config/settings.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { createTessera, type Tessera } from '../../src/core/tessera.js';
import { systemClock } from '../../src/core/time/clock.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/stores/open-store.js';
import { sendRaw } from '../parity/raw-http-client.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { within } from './node-process.js';

const UNAVAILABLE = '{"detail":"Service temporarily unavailable."}';
const CONNECT_TIMEOUT_MS = 400;
const STATEMENT_TIMEOUT_MS = 600;
// A request may wait for one connection attempt or one statement plus the client's own limit.
const ANSWER_BOUND_MS = STATEMENT_TIMEOUT_MS + CONNECT_TIMEOUT_MS + 1000;

/**
 * The reference server on PostgreSQL through a TCP proxy the test controls. Cutting, silencing
 * and restoring the proxy must give 503 within the configured timeouts (never a hang, a crash,
 * `Invalid token.` or `Unable to log in…`), and recovery by itself with nothing lost.
 */
function faultScenario(name: string, cache: Partial<TesseraSettings>, cachedDuringOutage: boolean) {
  describe(`database faults: ${name}`, () => {
    const databases = new FreshDatabases('postgres');
    const passwords = new PasswordHasher({ iterations: 1000 });
    let proxy: TcpProxy;
    let store: Store;
    let app: FastifyInstance;
    let tessera: Tessera;
    let url = '';
    let key = '';

    before(async () => {
      const database = await databases.create();
      const target = new URL(database.url);
      proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
      const settings: TesseraSettings = {
        ...DEFAULT_SETTINGS,
        ...THROTTLING_OFF,
        ...cache,
        passwordIterations: 1000,
        dbConnectTimeoutMs: CONNECT_TIMEOUT_MS,
        dbStatementTimeoutMs: STATEMENT_TIMEOUT_MS,
      };
      store = await openStore(proxy.route(database.url), {
        ...settingsOwnedBy('store', settings),
        databaseUrl: proxy.route(database.url),
      });
      await store.migrate();
      const user = await createUser(store, passwords, systemClock, {
        username: 'ann',
        password: 'ann-password',
      });
      key = (await issueDefaultToken(store, user.id, systemClock)).key;
      tessera = createTessera({ store, settings: settingsOwnedBy('library', settings), passwords });
      app = await buildServer({ store, settings, passwords, logger: false, tessera });
      await app.listen({ host: '127.0.0.1', port: 0 });
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await app.close();
      await store.close();
      await proxy.close();
      await databases.dropAll();
    });

    const post = (path: string, body?: unknown) =>
      sendRaw(url, {
        method: 'POST',
        path,
        headers:
          body === undefined
            ? { Authorization: `Token ${key}` }
            : { 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const login = () => post('/api-token-auth/', { username: 'ann', password: 'ann-password' });

    async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
      const start = Date.now();
      const value = await work();
      return { value, ms: Date.now() - start };
    }

    let createdBeforeFault = '';

    test('before the fault: a token is used, a login and a new token are written', async () => {
      const cacheOf = tessera.tokenCache;
      if (cacheOf) await within(5000, 'the invalidation channel', async () => cacheOf.channelUp);
      assert.equal((await post('/api/build-trigger/')).status, 200);
      const loggedIn = await login();
      assert.equal(loggedIn.status, 200);
      createdBeforeFault = JSON.parse(loggedIn.body).token;
    });

    for (const fault of ['cut', 'freeze'] as const) {
      test(`${fault}: answers are 503 within the timeouts, then the server recovers by itself`, async () => {
        proxy[fault]();
        const trigger = await timed(() => post('/api/build-trigger/'));
        if (cachedDuringOutage) {
          assert.equal(
            trigger.value.status,
            200,
            'the cached token keeps working during the outage',
          );
        } else {
          assert.equal(trigger.value.body, UNAVAILABLE);
          assert.equal(trigger.value.status, 503);
        }
        assert.ok(trigger.ms < ANSWER_BOUND_MS, `build-trigger took ${trigger.ms} ms`);
        const loggingIn = await timed(login);
        assert.equal(loggingIn.value.status, 503);
        assert.equal(loggingIn.value.body, UNAVAILABLE);
        assert.ok(loggingIn.ms < ANSWER_BOUND_MS, `login took ${loggingIn.ms} ms`);
        const fresh = await timed(() =>
          sendRaw(url, {
            method: 'POST',
            path: '/api/build-trigger/',
            headers: { Authorization: `Token ${createdBeforeFault}` },
          }),
        );
        assert.notEqual(
          fresh.value.status,
          401,
          'a database fault must never say "Invalid token."',
        );
        assert.ok(fresh.ms < ANSWER_BOUND_MS);

        proxy.restore();
        await within(
          5000,
          'the server answering 200 again',
          async () => (await post('/api/build-trigger/')).status === 200,
        );
        const again = await sendRaw(url, {
          method: 'POST',
          path: '/api/build-trigger/',
          headers: { Authorization: `Token ${createdBeforeFault}` },
        });
        assert.equal(again.status, 200, 'the token written before the fault was kept');
        assert.equal((await login()).status, 200);
      });
    }
  });
}

faultScenario('no cache', {}, false);
faultScenario('cache on (default: off during an outage)', { tokenCacheSeconds: 300 }, false);
faultScenario(
  'cache on and serving during an outage',
  { tokenCacheSeconds: 300, tokenCacheDuringOutage: true },
  true,
);
