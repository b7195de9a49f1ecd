import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import {
  type LoopbackResponse,
  loopbackAddress,
  requestFrom,
} from '../attack/support/loopback-client.js';
import { type NodeEnv, ServerNode, tessera } from '../multi-node/node-process.js';
import { CaddyProcess, caddyfileProblem } from './support/caddy-process.js';
import { documentedCaddyfile } from './support/documented-config.js';
import { EchoBackend, type SeenRequest } from './support/echo-backend.js';
import { freePort } from './support/nginx-process.js';
import { type People, seedPeople } from './support/people.js';

const FORGED = {
  'X-Tessera-User-Id': '1',
  'X-Tessera-Username': 'root',
  'X-Tessera-Scopes': '*',
  'X-Tessera-Token-Id': '1',
};

/**
 * Debian's Caddy with the Caddyfile of docs/forward-auth.md (only its ports changed): validated
 * by `caddy adapt --validate`, then run in front of `tessera serve` and an echoing backend.
 */
describe('forward auth behind Caddy (the documented Caddyfile)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-forward-auth-caddy-'));
  const env: NodeEnv = {
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite3')}`,
    TESSERA_NUM_PROXIES: '1',
  };
  let server: ServerNode;
  let backend: EchoBackend;
  let caddy: CaddyProcess;
  let base = '';
  let people: People;
  let caddyfile = '';

  before(async () => {
    tessera(env, ['migrate']);
    const store = openSqliteStore({ filename: join(dir, 'db.sqlite3') });
    people = await seedPeople(store);
    await store.close();
    server = await ServerNode.start(env);
    backend = await EchoBackend.start();
    const listenPort = await freePort();
    caddyfile = documentedCaddyfile({
      listenPort,
      tesseraPort: Number(new URL(server.url).port),
      backendPort: backend.port,
    });
    caddy = await CaddyProcess.start(caddyfile, listenPort);
    base = `http://127.0.0.1:${listenPort}`;
  });
  after(async () => {
    await caddy?.stop();
    await backend?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}, client = 0, method = 'GET') =>
    requestFrom(loopbackAddress(client), { url: `${base}${path}`, method, headers });
  const token = (key: string) => ({ Authorization: `Token ${key}` });
  const seen = (response: LoopbackResponse): SeenRequest => JSON.parse(response.body);

  test('caddy adapt --validate accepts the documented Caddyfile', () => {
    assert.equal(caddyfileProblem(caddyfile), null);
  });

  test('a valid key reaches the backend with the user; forged identity headers never do', async () => {
    const response = await get('/orders/1', { ...FORGED, ...token(people.keys.zoe) });
    assert.equal(response.status, 200, `${response.body}\n${caddy.output}`);
    const { headers } = seen(response);
    assert.equal(headers['x-tessera-user-id'], String(people.zoeId));
    assert.equal(headers['x-tessera-username'], 'zo%C3%AB');
    assert.equal(headers['x-tessera-scopes'], '*');
    const publicPage = seen(await get('/public/page', FORGED));
    for (const name of Object.keys(FORGED)) {
      assert.equal(publicPage.headers[name.toLowerCase()], undefined, name);
    }
  });

  test('refusals reach the client as tessera wrote them: 401, 403, with DRF’s JSON', async () => {
    const before = backend.seen.length;
    const missing = await get('/orders/');
    assert.equal(missing.status, 401);
    assert.equal(missing.body, '{"detail":"Authentication credentials were not provided."}');
    assert.equal(missing.headers['www-authenticate'], 'Token');
    assert.equal(missing.headers['content-type'], 'application/json');
    assert.equal(missing.headers['cache-control'], 'no-store');
    const inactive = await get('/orders/', token(people.keys.bob));
    assert.equal(inactive.body, '{"detail":"User inactive or deleted."}');
    const lacking = await get('/reports/', token(people.keys.orders));
    assert.equal(lacking.status, 403);
    assert.equal(lacking.body, '{"detail":"This token lacks the scope reports."}');
    assert.equal(backend.seen.length, before);
    assert.equal((await get('/reports/', token(people.keys.reports))).status, 200);
  });

  test('CORS preflights reach the backend without verification', async () => {
    const response = await get('/orders/', { Origin: 'https://app.example' }, 0, 'OPTIONS');
    assert.equal(response.status, 200);
    assert.equal(seen(response).method, 'OPTIONS');
  });

  test('each client address has its own key-guessing budget (X-Forwarded-For from Caddy)', async () => {
    const guesser = 60;
    for (let n = 0; n < 60; n++) {
      const guess = await get('/orders/', token(`tsr_${String(n).padStart(38, '0')}`), guesser);
      assert.equal(guess.status, 401);
    }
    const throttled = await get('/orders/', token(people.keys.all), guesser);
    assert.equal(throttled.status, 429);
    assert.match(String(throttled.headers['retry-after']), /^\d+$/);
    assert.equal((await get('/orders/', token(people.keys.all), guesser + 1)).status, 200);
  });

  test('with tessera down, Caddy answers 502 and the backend is never reached', async () => {
    await server.stop();
    const before = backend.seen.length;
    const response = await get('/orders/', token(people.keys.all));
    assert.equal(response.status, 502, response.body);
    assert.equal(backend.seen.length, before);
  });
});
