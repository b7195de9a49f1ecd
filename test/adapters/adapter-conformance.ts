import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sendRaw } from '../parity/raw-http-client.js';
import { abortMidBody, head } from './hostile/raw-socket.js';
import {
  type RunningApp,
  type SeedViews,
  type ServeSeedApp,
  seedViews,
  userWithKey,
} from './seed-app.js';

const MAX_BODY_BYTES = 256;
const PASSWORD = 'pässwörd-never-logged';

/** Sends a body of `size` bytes with `Transfer-Encoding: chunked` (no declared length). */
function sendChunked(
  baseUrl: string,
  path: string,
  size: number,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: url.pathname,
        headers: { 'Content-Type': 'application/json' },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    // The server may answer and close before it has taken everything.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    for (let sent = 0; sent < size; sent += 64) req.write(Buffer.alloc(64, 0x20));
    req.end();
  });
}

/**
 * What every adapter must do beyond the parity suite's rows: the core's body limit with
 * `Connection: close`, the last of repeated `format` parameters, and 5xx answers reported to
 * the framework's logger without a key or a password. Its hostile part, raw bytes against every
 * adapter in apps as people write them and against the reference server, is
 * test/adapters/hostile/.
 */
export function runAdapterConformance(name: string, serve: ServeSeedApp): void {
  describe(`adapter conformance: ${name}`, () => {
    let seed: SeedViews;
    let app: RunningApp;
    before(async () => {
      seed = await seedViews();
      app = await serve(seed, { maxBodyBytes: MAX_BODY_BYTES, log: () => {} });
    });
    after(async () => {
      await app.close();
      await seed.store.close();
    });

    test('a declared body over the limit → 413 with Connection: close, read through the core', async () => {
      const res = await sendRaw(app.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'u', password: 'x'.repeat(MAX_BODY_BYTES) }),
      });
      assert.deepEqual(
        {
          status: res.status,
          contentType: res.headers['content-type'],
          connection: res.headers.connection,
          allow: res.headers.allow,
          body: res.body,
        },
        {
          status: 413,
          contentType: 'application/json',
          connection: 'close',
          allow: 'POST, OPTIONS',
          body: '{"detail":"Request body is too large."}',
        },
      );
    });

    test('a chunked body over the limit → 413 with Connection: close', async () => {
      const res = await sendChunked(app.baseUrl, '/api-token-auth/', MAX_BODY_BYTES * 4);
      assert.equal(res.status, 413);
      assert.equal(res.headers.connection, 'close');
      assert.equal(res.body, '{"detail":"Request body is too large."}');
    });

    test('"?format=xml&format=json" takes the last value → 200', async () => {
      const key = await userWithKey(seed, 'format_last_json');
      const res = await sendRaw(app.baseUrl, {
        method: 'POST',
        path: '/api/build-trigger/?format=xml&format=json',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '');
    });

    test('"?format=json&format=xml" takes the last value → 404', async () => {
      const res = await sendRaw(app.baseUrl, {
        method: 'POST',
        path: '/api/build-trigger/?format=json&format=xml',
      });
      assert.equal(res.status, 404);
      assert.equal(res.body, '{"detail":"Not found."}');
    });

    test('a client leaving mid-body is not reported as a server error', async () => {
      const logged: string[] = [];
      const leftApp = await serve(seed, {
        maxBodyBytes: MAX_BODY_BYTES,
        log: (entry) => logged.push(entry),
      });
      try {
        const { port } = new URL(leftApp.baseUrl);
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('error', () => {});
        socket.write(
          'POST /api-token-auth/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
            'Content-Length: 100\r\n\r\n{"username":',
        );
        await new Promise((done) => setTimeout(done, 100));
        socket.destroy();
        // The server sees the close, fails the body read, and would report it by now.
        await new Promise((done) => setTimeout(done, 200));
        const served = await sendRaw(leftApp.baseUrl, { method: 'POST', path: '/api-token-auth/' });
        assert.equal(served.status, 400);
        assert.deepEqual(logged, []);
      } finally {
        await leftApp.close();
      }
    });

    test('a client resetting the connection (TCP RST) mid-body is not reported either', async () => {
      const logged: string[] = [];
      const leftApp = await serve(seed, {
        maxBodyBytes: MAX_BODY_BYTES,
        log: (entry) => logged.push(entry),
      });
      try {
        const port = Number(new URL(leftApp.baseUrl).port);
        const requestHead = head('POST /api-token-auth/ HTTP/1.1', [
          'Content-Type: application/json',
          'Content-Length: 100',
        ]);
        await abortMidBody(port, requestHead, '{"username":');
        const served = await sendRaw(leftApp.baseUrl, { method: 'POST', path: '/api-token-auth/' });
        assert.equal(served.status, 400);
        assert.deepEqual(logged, []);
      } finally {
        await leftApp.close();
      }
    });

    describe('with the store down', () => {
      let downSeed: SeedViews;
      let downApp: RunningApp;
      const logged: string[] = [];
      let key: string;
      before(async () => {
        downSeed = await seedViews();
        key = await userWithKey(downSeed, 'store_down', PASSWORD);
        downApp = await serve(downSeed, {
          maxBodyBytes: MAX_BODY_BYTES,
          log: (entry) => logged.push(entry),
        });
        await downSeed.store.close();
      });
      after(() => downApp.close());

      test('build-trigger → 503, reported to the logger without the key', async () => {
        const res = await sendRaw(downApp.baseUrl, {
          method: 'POST',
          path: '/api/build-trigger/',
          headers: { Authorization: `Token ${key}` },
        });
        assert.equal(res.status, 503);
        assert.equal(res.headers['content-type'], 'application/json');
        assert.equal(res.body, '{"detail":"Service temporarily unavailable."}');
        assert.ok(logged.length > 0, 'the failure was reported');
        for (const entry of logged) assert.ok(!entry.includes(key.slice(4)), entry);
      });

      test('obtain-token → 503, reported to the logger without the password', async () => {
        const before = logged.length;
        const res = await sendRaw(downApp.baseUrl, {
          method: 'POST',
          path: '/api-token-auth/',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'store_down', password: PASSWORD }),
        });
        assert.equal(res.status, 503);
        assert.ok(logged.length > before, 'the failure was reported');
        for (const entry of logged) assert.ok(!entry.includes(PASSWORD), entry);
      });
    });
  });
}
