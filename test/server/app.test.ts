import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../../src/core/config/settings.js';
import type { InvalidationSubscriber } from '../../src/core/invalidation.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store, TokenMatch } from '../../src/core/store.js';
import { systemClock } from '../../src/core/time/clock.js';
import { generateKey, keyDigest } from '../../src/core/tokens/key-format.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { sendRaw } from '../parity/raw-http-client.js';

const settings: TesseraSettings = {
  ...DEFAULT_SETTINGS,
  passwordIterations: 1000,
  maxBodyBytes: 1024,
  maxHeaderBytes: 4096,
};
const passwords = new PasswordHasher({ iterations: 1000 });

interface Running {
  app: FastifyInstance;
  url: string;
  log: () => string;
}

async function start(store: Store, overrides: Partial<TesseraSettings> = {}): Promise<Running> {
  const stream = new PassThrough();
  let log = '';
  stream.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const app = await buildServer({
    store,
    settings: { ...settings, ...overrides },
    logStream: stream,
    passwords,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, log: () => log };
}

describe('reference server on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-server-'));
  const filename = join(dir, 'db.sqlite3');
  let store: Store;
  let server: Running;
  let key: string;

  before(async () => {
    store = openSqliteStore({ filename });
    await store.migrate();
    const user = await createUser(store, passwords, systemClock, {
      username: 'alice',
      password: 'pässwörd 1',
    });
    key = (await issueDefaultToken(store, user.id, systemClock)).key;
    server = await start(store);
  });
  after(async () => {
    await server.app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a valid token writes nothing to the database', async () => {
    const observer = new Database(filename, { readonly: true });
    const version = () => observer.pragma('data_version', { simple: true });
    const before = version();
    for (let i = 0; i < 5; i++) {
      const response = await sendRaw(server.url, {
        method: 'POST',
        path: '/api/build-trigger/',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(response.status, 200);
    }
    assert.equal(version(), before);
    // The observer does see writes made by others, so the check above could fail.
    await sendRaw(server.url, {
      method: 'POST',
      path: '/api-token-auth/',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'pässwörd 1' }),
    });
    assert.notEqual(version(), before);
    observer.close();
  });

  test('the lookup is one indexed search on the digest', () => {
    const db = new Database(filename, { readonly: true });
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT * FROM tessera_token AS t JOIN auth_user AS u ON u.id = t.user_id WHERE t.digest = ?`,
      )
      .all('x') as { detail: string }[];
    db.close();
    assert.equal(plan.length, 2);
    assert.match(plan[0]?.detail ?? '', /SEARCH t USING INDEX .*\(digest=\?\)/);
    assert.match(plan[1]?.detail ?? '', /SEARCH u USING INTEGER PRIMARY KEY/);
  });

  test('a body over the limit gets 413 and the connection closes', async () => {
    const response = await sendRaw(server.url, {
      method: 'POST',
      path: '/api-token-auth/',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'x'.repeat(2000) }),
    });
    assert.equal(response.status, 413);
    assert.equal(response.body, '{"detail":"Request body is too large."}');
    assert.equal(response.headers.connection, 'close');
  });

  test('a request head over the limit gets 431 from Node, and the server keeps serving', async () => {
    const response = await sendRaw(server.url, {
      method: 'POST',
      path: '/api/build-trigger/',
      headers: { Authorization: `Token ${key}`, 'X-Padding': 'p'.repeat(8000) },
    });
    assert.equal(response.status, 431);
    const next = await sendRaw(server.url, {
      method: 'POST',
      path: '/api/build-trigger/',
      headers: { Authorization: `Token ${key}` },
    });
    assert.equal(next.status, 200);
  });

  test('unknown routes answer a DRF-shaped 404', async () => {
    const response = await sendRaw(server.url, { method: 'GET', path: '/nope/' });
    assert.equal(response.status, 404);
    assert.equal(response.body, '{"detail":"Not found."}');
  });

  test('no access log by default: a request writes no line', async () => {
    const before = server.log();
    const response = await sendRaw(server.url, {
      method: 'POST',
      path: '/api/build-trigger/',
      headers: { Authorization: `Token ${key}` },
    });
    assert.equal(response.status, 200);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(server.log(), before);
  });

  test('with accessLog, one log line per request, and no key, digest or password in the log', async () => {
    const logged = await start(store, { accessLog: true });
    try {
      const before = logged.log().split('\n').filter(Boolean).length;
      await sendRaw(logged.url, {
        method: 'POST',
        path: `/api/build-trigger/?key=${key}`,
        headers: { Authorization: `Token ${key}` },
      });
      await sendRaw(logged.url, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'username=alice&password=wrong-secret',
      });
      const lines = logged.log().split('\n').filter(Boolean);
      const requestLines = lines.slice(before).filter((line) => line.includes('"msg":"request"'));
      assert.equal(requestLines.length, 2);
      const first = JSON.parse(requestLines[0] ?? '{}');
      assert.equal(first.path, '/api/build-trigger/');
      assert.equal(first.status, 200);
      const log = logged.log();
      for (const secret of [key, keyDigest(key), 'pässwörd 1', 'wrong-secret', key.slice(4)]) {
        assert.ok(!log.includes(secret), `log contains ${secret.slice(0, 8)}…`);
      }
    } finally {
      await logged.app.close();
    }
  });
});

/** Sends a head and part of a body, then waits for the server to close; returns what came back. */
function sendPartOfBody(url: string, destroyAfterMs?: number): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
    socket.write(
      'POST /api-token-auth/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"username":',
    );
    if (destroyAfterMs !== undefined) setTimeout(() => socket.destroy(), destroyAfterMs);
  });
}

describe('reference server: bounds on slow clients', () => {
  let store: Store;
  let server: Running;
  const bounds = {
    headersTimeoutMs: 200,
    requestTimeoutMs: 400,
    idleTimeoutMs: 5000,
    keepAliveTimeoutMs: 300,
  } as const;

  before(async () => {
    store = openSqliteStore({ filename: ':memory:' });
    await store.migrate();
    server = await start(store, bounds);
  });
  after(async () => {
    await server.app.close();
    await store.close();
  });

  test("the settings' timeouts reach Node's server (Fastify would leave requestTimeout at 0)", () => {
    const node = server.app.server;
    assert.deepEqual(
      {
        headersTimeoutMs: node.headersTimeout,
        requestTimeoutMs: node.requestTimeout,
        keepAliveTimeoutMs: node.keepAliveTimeout,
      },
      { headersTimeoutMs: 200, requestTimeoutMs: 400, keepAliveTimeoutMs: 300 },
    );
    // The idle bound is checked on a timer (boundIdleConnections), not by a timer per socket.
    assert.equal(node.timeout, 0);
  });

  test('the defaults bound every slow client too', async () => {
    const defaults = openSqliteStore({ filename: ':memory:' });
    await defaults.migrate();
    const app = await buildServer({ store: defaults, settings: DEFAULT_SETTINGS, logger: false });
    try {
      const node = app.server;
      assert.deepEqual(
        [node.headersTimeout, node.requestTimeout, node.keepAliveTimeout],
        [10_000, 30_000, 5000],
      );
      assert.equal(DEFAULT_SETTINGS.idleTimeoutMs, 20_000);
    } finally {
      await app.close();
      await defaults.close();
    }
  });

  test('a body still arriving at the request timeout gets 408, and no error is logged', async () => {
    const logged = server.log().length;
    const received = await sendPartOfBody(server.url);
    assert.match(received, /^HTTP\/1\.1 408 /);
    await new Promise((done) => setTimeout(done, 50));
    assert.doesNotMatch(server.log().slice(logged), /"level":50/);
  });

  test('a client leaving mid-body is not a server error either', async () => {
    const logged = server.log().length;
    await sendPartOfBody(server.url, 50);
    await new Promise((done) => setTimeout(done, 50));
    assert.doesNotMatch(server.log().slice(logged), /"level":50/);
  });
});

describe('reference server: the idle bound', () => {
  // Long head, request and keep-alive bounds, so only the idle bound can close these connections.
  const bounds = {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 20_000,
    idleTimeoutMs: 400,
    keepAliveTimeoutMs: 10_000,
  } as const;

  /** Opens a connection, sends `request`, and resolves with what came back once it closes. */
  function heldConnection(
    url: string,
    request: string,
    options: { read?: boolean } = {},
  ): { closed: Promise<{ received: number; afterMs: number }> } {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    const started = Date.now();
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      // A client that stops reading: the server's writes stall once the buffers are full.
      if (options.read === false) socket.pause();
    });
    socket.on('error', () => {});
    socket.write(request);
    return {
      closed: new Promise((resolve) => {
        socket.on('close', () => resolve({ received, afterMs: Date.now() - started }));
        setTimeout(() => socket.destroy(), 15_000).unref();
      }),
    };
  }

  /** Runs `use` against a server with the bounds above (and `overrides`) on an empty database. */
  async function withServer(
    overrides: Partial<TesseraSettings>,
    use: (server: Running) => Promise<void>,
  ): Promise<void> {
    const store = openSqliteStore({ filename: ':memory:' });
    await store.migrate();
    const server = await start(store, { ...bounds, ...overrides });
    try {
      await use(server);
    } finally {
      await server.app.close();
      await store.close();
    }
  }

  for (const accessLog of [false, true]) {
    test(`a kept-alive connection that goes silent is closed after the idle bound (access log ${accessLog ? 'on' : 'off'})`, async () => {
      await withServer({ accessLog }, async (server) => {
        const held = heldConnection(
          server.url,
          'GET /api/build-trigger/ HTTP/1.1\r\nHost: x\r\n\r\n',
        );
        const { received, afterMs } = await held.closed;
        assert.ok(received > 0, 'the request was answered first');
        // Closed by the idle bound (400 ms, checked every 200 ms), not by keep-alive (10 s).
        assert.ok(afterMs >= 400 && afterMs < 2000, `closed after ${afterMs} ms`);
      });
    });
  }

  test('a client that stops reading a large answer is closed after the idle bound', async () => {
    await withServer({}, async (server) => {
      // Seen from the server: a paused client reads no FIN, so its own socket would not tell.
      const serverSide = new Promise<number>((resolve) => {
        server.app.server.once('connection', (socket) => {
          const started = Date.now();
          socket.on('close', () => resolve(Date.now() - started));
        });
      });
      // Swagger UI's bundle, about a megabyte; the client reads its first chunk, then stops.
      heldConnection(server.url, 'GET /api/docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n', {
        read: false,
      });
      const afterMs = await serverSide;
      assert.ok(afterMs >= 400 && afterMs < 2000, `closed after ${afterMs} ms`);
    });
  });

  test('a client still sending is not idle: each byte moves the bound', async () => {
    await withServer({}, async (server) => {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      let closed = false;
      socket.on('close', () => {
        closed = true;
      });
      socket.write(
        'POST /api-token-auth/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Content-Length: 100\r\n\r\n',
      );
      // One byte every 150 ms for 1.5 s: never 400 ms without a byte.
      for (let sent = 0; sent < 10; sent++) {
        await new Promise((done) => setTimeout(done, 150));
        socket.write(' ');
      }
      assert.equal(closed, false, 'a client sending every 150 ms was closed as idle');
      socket.destroy();
    });
  });
});

describe('reference server when the store fails', () => {
  /** A store whose reads work but whose lookups or writes fail as a broken database would. */
  async function brokenStore(): Promise<{
    store: Store;
    key: string;
    cleanup: () => Promise<void>;
  }> {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-ro-'));
    const filename = join(dir, 'db.sqlite3');
    const writable = openSqliteStore({ filename });
    await writable.migrate();
    const user = await createUser(writable, passwords, systemClock, {
      username: 'bob',
      password: 'bob-password',
    });
    const { key } = await issueDefaultToken(writable, user.id, systemClock);
    await writable.close();
    const store = openSqliteStore({ filename, readonly: true });
    return {
      store,
      key,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  test('a read-only database: login answers 503, never "Unable to log in"', async () => {
    const { store, cleanup } = await brokenStore();
    const server = await start(store);
    try {
      const response = await sendRaw(server.url, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/json' },
        body: '{"username":"bob","password":"bob-password"}',
      });
      assert.equal(response.status, 503);
      assert.equal(response.body, '{"detail":"Service temporarily unavailable."}');
      assert.match(server.log(), /"level":50/);
      assert.ok(!server.log().includes('bob-password'));
    } finally {
      await server.app.close();
      await cleanup();
    }
  });

  test('a failing lookup answers 503, never "Invalid token."', async () => {
    const { store, key, cleanup } = await brokenStore();
    const failing: Store = Object.create(store, {
      // The token cache (on by default) subscribes; the store's own method needs the store itself.
      subscribeInvalidations: {
        value: (subscriber: InvalidationSubscriber) => store.subscribeInvalidations(subscriber),
      },
      findTokenByDigest: {
        value: async (): Promise<TokenMatch | null> => {
          // A real driver failure: querying a table that does not exist.
          const db = new Database(':memory:');
          try {
            db.prepare('SELECT * FROM tessera_token').get();
          } catch (error) {
            const { storeUnavailable } = await import('../../src/stores/sql/store-unavailable.js');
            throw storeUnavailable(error);
          } finally {
            db.close();
          }
          return null;
        },
      },
    });
    const server = await start(failing);
    try {
      const response = await sendRaw(server.url, {
        method: 'POST',
        path: '/api/build-trigger/',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(response.status, 503);
      assert.equal(response.body, '{"detail":"Service temporarily unavailable."}');
      // A malformed key is refused without touching the failing store.
      // The last character changed (never to itself), so the checksum fails.
      const valid = generateKey();
      const badChecksum = `${valid.slice(0, -1)}${valid.endsWith('x') ? 'y' : 'x'}`;
      const malformed = await sendRaw(server.url, {
        method: 'POST',
        path: '/api/build-trigger/',
        headers: { Authorization: `Token ${badChecksum}` },
      });
      assert.equal(malformed.status, 401);
      assert.equal(malformed.body, '{"detail":"Invalid token."}');
    } finally {
      await server.app.close();
      await cleanup();
    }
  });
});
