import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import {
  inParallel,
  type LoopbackResponse,
  loopbackAddress,
  requestFrom,
} from '../attack/support/loopback-client.js';
import { type NodeEnv, ServerNode, tessera, within } from '../multi-node/node-process.js';
import { documentedNginxConfig } from './support/documented-config.js';
import { EchoBackend, type SeenRequest } from './support/echo-backend.js';
import { freePort, NginxProcess } from './support/nginx-process.js';
import { type People, seedPeople } from './support/people.js';

const NOT_PROVIDED = '{"detail":"Authentication credentials were not provided."}';
const INVALID = '{"detail":"Invalid token."}';
const INACTIVE = '{"detail":"User inactive or deleted."}';
const LACKS_REPORTS = '{"detail":"This token lacks the scope reports."}';
const UNAVAILABLE = '{"detail":"Service temporarily unavailable."}';
// tessera's default key-guessing limit: 60 failures a minute per client address.
const KEY_FAILURES_PER_MINUTE = 60;
// The README's bound for a revocation to reach every node; without a token cache it is at once.
const REVOCATION_BOUND_MS = 1000;

/**
 * Debian's nginx with the nginx configuration of docs/forward-auth.md, verbatim but for its
 * ports, in front of `tessera serve` (a SQLite file, `TESSERA_NUM_PROXIES=1`) and a backend that
 * echoes what reaches it. The CLI, a separate process, creates users and tokens and revokes one.
 */
describe('forward auth behind nginx (the documented configuration)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-forward-auth-'));
  const env: NodeEnv = {
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite3')}`,
    TESSERA_NUM_PROXIES: '1',
  };
  let server: ServerNode;
  let backend: EchoBackend;
  let nginx: NginxProcess;
  let base = '';
  let people: People;

  before(async () => {
    tessera(env, ['migrate']);
    const store = openSqliteStore({ filename: join(dir, 'db.sqlite3') });
    people = await seedPeople(store);
    await store.close();
    server = await ServerNode.start(env);
    backend = await EchoBackend.start();
    const listenPort = await freePort();
    nginx = await NginxProcess.start(
      documentedNginxConfig({
        listenPort,
        tesseraPort: Number(new URL(server.url).port),
        backendPort: backend.port,
      }),
      listenPort,
    );
    base = `http://127.0.0.1:${listenPort}`;
  });
  after(async () => {
    await nginx?.stop();
    await backend?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function get(
    path: string,
    headers: Record<string, string> = {},
    client = 0,
    method = 'GET',
    body?: string,
  ): Promise<LoopbackResponse> {
    return requestFrom(loopbackAddress(client), {
      url: `${base}${path}`,
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
  }

  const token = (key: string) => ({ Authorization: `Token ${key}` });
  const seen = (response: LoopbackResponse): SeenRequest => JSON.parse(response.body);

  function assertRefused(response: LoopbackResponse, status: number, body: string): void {
    assert.equal(response.status, status, `${response.body}\n${nginx.errorLog}`);
    assert.equal(response.body, body);
    assert.equal(response.headers['content-type'], 'application/json');
    assert.equal(response.headers['cache-control'], 'no-store');
    if (status === 401) assert.equal(response.headers['www-authenticate'], 'Token');
    else assert.equal(response.headers['www-authenticate'], undefined);
  }

  test('a valid key reaches the backend with the user, and the key itself does not', async () => {
    const response = await get('/orders/7?x=1', token(people.keys.all));
    assert.equal(response.status, 200, `${response.body}\n${nginx.errorLog}`);
    const { path, headers } = seen(response);
    assert.equal(path, '/orders/7?x=1');
    assert.equal(headers['x-tessera-user-id'], String(people.aliceId));
    assert.equal(headers['x-tessera-username'], 'alice');
    assert.equal(headers['x-tessera-scopes'], '*');
    assert.equal(headers['x-tessera-token-id'], String(people.tokenIds.all));
    assert.equal(headers.authorization, undefined);
    assert.equal(headers['x-tessera-error'], undefined);
  });

  test('a non-ASCII username arrives percent-encoded as UTF-8', async () => {
    const { headers } = seen(await get('/', token(people.keys.zoe)));
    assert.equal(headers['x-tessera-username'], 'zo%C3%AB');
    assert.equal(decodeURIComponent(String(headers['x-tessera-username'])), 'zoë');
    assert.equal(headers['x-tessera-user-id'], String(people.zoeId));
  });

  test('no key, a bad key and an inactive user get 401 with DRF’s body; the backend sees none', async () => {
    const before = backend.seen.length;
    assertRefused(await get('/orders/'), 401, NOT_PROVIDED);
    assertRefused(
      await get('/orders/', { Authorization: 'Token' }),
      401,
      '{"detail":"Invalid token header. No credentials provided."}',
    );
    assertRefused(
      await get(
        '/orders/',
        token(`${people.keys.all.slice(0, -1)}${people.keys.all.endsWith('x') ? 'y' : 'x'}`),
      ),
      401,
      INVALID,
    );
    assertRefused(await get('/reports/', token(people.keys.bob)), 401, INACTIVE);
    assert.equal(backend.seen.length, before);
  });

  test('a key without the location’s scope gets 403 naming it; one with it passes', async () => {
    const before = backend.seen.length;
    assertRefused(await get('/reports/q3', token(people.keys.orders)), 403, LACKS_REPORTS);
    assert.equal(backend.seen.length, before);
    const allowed = await get('/reports/q3', token(people.keys.reports));
    assert.equal(allowed.status, 200);
    assert.equal(seen(allowed).headers['x-tessera-scopes'], 'reports');
    // The scope is the location's, not the URI's: a path that normalises into /reports/ is
    // matched by nginx after normalising, so it needs the scope too.
    assertRefused(
      await get('/orders/../reports/q3', token(people.keys.orders)),
      403,
      LACKS_REPORTS,
    );
    assertRefused(
      await get('/public/../reports/q3', token(people.keys.orders)),
      403,
      LACKS_REPORTS,
    );
  });

  test('a key revoked by the CLI (another process) is refused within 1 s', async () => {
    assert.equal((await get('/orders/', token(people.keys.doomed))).status, 200);
    tessera(env, ['tokens', 'revoke', String(people.tokenIds.doomed)]);
    const took = await within(REVOCATION_BOUND_MS, 'nginx refusing the revoked key', async () => {
      const response = await get('/orders/', token(people.keys.doomed));
      return response.status === 401 && response.body === INVALID;
    });
    assert.ok(took < REVOCATION_BOUND_MS);
  });

  test('a client’s own X-Tessera-* headers never reach the backend, on any location', async () => {
    const forged = {
      'X-Tessera-User-Id': '1',
      'X-Tessera-Username': 'root',
      'X-Tessera-Scopes': '*',
      'X-Tessera-Token-Id': '1',
    };
    const publicPage = seen(await get('/public/page', forged));
    for (const name of Object.keys(forged)) {
      assert.equal(publicPage.headers[name.toLowerCase()], undefined, name);
    }
    for (const path of ['/orders/', '/reports/', '/public/']) {
      const response = await get(path, { ...forged, ...token(people.keys.reports) });
      if (response.status !== 200) continue;
      const { headers } = seen(response);
      assert.notEqual(headers['x-tessera-username'], 'root', path);
      assert.notEqual(headers['x-tessera-scopes'], '*', path);
    }
    const guarded = seen(await get('/reports/', { ...forged, ...token(people.keys.reports) }));
    assert.equal(guarded.headers['x-tessera-username'], 'alice');
    assert.equal(guarded.headers['x-tessera-user-id'], String(people.aliceId));
    // Denied requests never reach the backend, with or without forged headers.
    const before = backend.seen.length;
    assert.equal((await get('/orders/', forged)).status, 401);
    assert.equal(backend.seen.length, before);
  });

  test('the verification reads no body and ignores the method and Accept', async () => {
    const posted = await get(
      '/orders/',
      { ...token(people.keys.all), 'Content-Type': 'application/json', Accept: 'text/html' },
      0,
      'POST',
      '{"item": 1}',
    );
    assert.equal(posted.status, 200, posted.body);
    assert.equal(seen(posted).method, 'POST');
    assert.equal(seen(posted).body, '{"item": 1}');
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      assert.equal((await get('/orders/', token(people.keys.all), 0, method)).status, 200, method);
    }
  });

  test('CORS preflights are answered before the check, without reaching tessera or the backend', async () => {
    const before = backend.seen.length;
    const preflight = await get('/orders/', { Origin: 'https://app.example.com' }, 0, 'OPTIONS');
    assert.equal(preflight.status, 204, preflight.body);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.match(String(preflight.headers['access-control-allow-headers']), /Authorization/);
    assert.equal(backend.seen.length, before);
    // Any other method on the same location is still checked.
    assert.equal((await get('/orders/', { Origin: 'https://app.example.com' })).status, 401);
  });

  test('the verification location is internal: clients cannot call it through nginx', async () => {
    const response = await get('/_tessera/verify', token(people.keys.all));
    assert.equal(response.status, 404);
  });

  test('each client address has its own key-guessing budget (X-Forwarded-For from nginx)', async () => {
    const guesser = 40;
    const guesses = await inParallel(
      4,
      Array.from(
        { length: KEY_FAILURES_PER_MINUTE },
        (_, n) => () => get('/orders/', token(`tsr_${String(n).padStart(38, '0')}`), guesser),
      ),
    );
    assert.deepEqual(
      [...new Set(guesses.map((response) => response.status))],
      [401],
      'the first 60 guesses are answered 401',
    );
    const throttled = await get('/orders/', token(people.keys.all), guesser);
    assert.equal(throttled.status, 429, throttled.body);
    assert.match(
      throttled.body,
      /^\{"detail":"Request was throttled\. Expected available in \d+ seconds?\."\}$/,
    );
    assert.match(String(throttled.headers['retry-after']), /^\d+$/);
    assert.equal(throttled.headers['cache-control'], 'no-store');
    // Writing X-Forwarded-For does not buy a fresh budget: nginx appends the real peer.
    const spoofed = await get(
      '/orders/',
      { ...token(people.keys.all), 'X-Forwarded-For': '198.51.100.7' },
      guesser,
    );
    assert.equal(spoofed.status, 429);
    // Every other client keeps its budget: bad keys are 401, good keys pass.
    const others = Array.from({ length: 30 }, (_, n) => guesser + 1 + n);
    const answers = await inParallel(
      4,
      others.map((client) => async () => [
        (await get('/orders/', token(`tsr_${'1'.repeat(38)}`), client)).status,
        (await get('/orders/', token(people.keys.all), client)).status,
      ]),
    );
    assert.deepEqual(
      answers,
      others.map(() => [401, 200]),
    );
  });

  test('with tessera down, clients get 503 with a JSON body, never the backend', async () => {
    await server.stop();
    const before = backend.seen.length;
    const response = await get('/orders/', token(people.keys.all));
    assertRefused(response, 503, UNAVAILABLE);
    assert.equal(backend.seen.length, before);
  });
});
