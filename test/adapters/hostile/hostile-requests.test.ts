import assert from 'node:assert/strict';
import { METHODS } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DRF_BODIES } from '../../parity/drf-bodies.js';
import {
  ERROR_SECRET,
  HOST_APP_TARGETS,
  type HostApp,
  MAX_BODY_BYTES,
  PASSWORD,
  startHostApp,
  USERNAME,
} from './host-apps.js';
import { abortMidBody, exchange, head, type WireAnswer } from './raw-socket.js';

const BUILD_TRIGGER_ALLOW = 'POST, OPTIONS';
const SERVER_ERROR = '{"detail":"A server error occurred."}';
const PERMISSION_DENIED = '{"detail":"You do not have permission to perform this action."}';
const TOO_LARGE = '{"detail":"Request body is too large."}';
/** Python's json beyond its recursion limit, as DRF's JSONParser words it. */
const TOO_DEEP = (kind: 'array' | 'object') =>
  `{"detail":"JSON parse error - maximum recursion depth exceeded while decoding a JSON ${kind} from a unicode string"}`;
// Node's parser hands CONNECT to the `connect` event, never to a request listener.
const UNUSUAL_METHODS = METHODS.filter(
  (method) => !['CONNECT', 'HEAD', 'OPTIONS', 'POST'].includes(method),
);

function notAllowed(method: string): string {
  return `{"detail":"Method \\"${method}\\" not allowed."}`;
}

/** What every app must send alike: status, the headers that matter, body, and framing. */
function essentials(answer: WireAnswer) {
  const one = (name: string) => answer.headers[name]?.join(', ');
  return {
    status: answer.status,
    contentType: one('content-type'),
    allow: one('allow'),
    wwwAuthenticate: one('www-authenticate'),
    body: answer.body,
    framing: answer.framing,
  };
}

/** A request head (latin-1) and its body (UTF-8), as bytes. */
function wire(requestHead: string, body: string | Buffer = ''): Buffer {
  return Buffer.concat([Buffer.from(requestHead, 'latin1'), Buffer.from(body)]);
}

function post(path: string, lines: readonly string[], body = ''): Buffer {
  const lengthLine = `Content-Length: ${Buffer.byteLength(body)}`;
  return wire(head(`POST ${path} HTTP/1.1`, [...lines, lengthLine]), body);
}

function chunked(path: string, lines: readonly string[], body: string, size = 64): Buffer {
  const bytes = Buffer.from(body);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const part = bytes.subarray(at, at + size);
    parts.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  const requestHead = head(`POST ${path} HTTP/1.1`, [...lines, 'Transfer-Encoding: chunked']);
  return wire(requestHead, Buffer.concat(parts));
}

const LOGIN = JSON.stringify({ username: USERNAME, password: PASSWORD });
const JSON_TYPE = 'Content-Type: application/json';

for (const target of HOST_APP_TARGETS) {
  describe(`hostile requests: ${target.name}`, () => {
    let app: HostApp;
    let auth: string;
    let seen = 0;
    before(async () => {
      app = await startHostApp(target);
      auth = `Authorization: Token ${app.key}`;
    });
    after(() => app.close());

    /** The lines logged since the last call: none error-level, none with a secret. */
    function newLogs(options: { errorsAllowed?: boolean } = {}) {
      const lines = app.logs.slice(seen);
      seen = app.logs.length;
      for (const line of lines) {
        assert.ok(!line.text.includes(app.key.slice(4)), `a key in the log: ${line.text}`);
        assert.ok(!line.text.includes(PASSWORD), `a password in the log: ${line.text}`);
        if (!options.errorsAllowed) {
          assert.notEqual(line.level, 'error', `an error-level line: ${line.text}`);
        }
      }
      return lines;
    }

    test('repeated Authorization lines read joined with "," (DRF behind gunicorn) → 401', async () => {
      const answer = await exchange(app.port, { bytes: post('/api/build-trigger/', [auth, auth]) });
      assert.deepEqual(essentials(answer), {
        status: 401,
        contentType: 'application/json',
        allow: BUILD_TRIGGER_ALLOW,
        wwwAuthenticate: 'Token',
        body: DRF_BODIES.tokenHasSpaces,
        framing: 'length',
      });
      newLogs();
    });

    test('repeated Content-Type lines: the last one is the body’s type → 200 with a token', async () => {
      const answer = await exchange(app.port, {
        bytes: post('/api-token-auth/', ['Content-Type: text/plain', JSON_TYPE], LOGIN),
      });
      assert.equal(answer.status, 200, answer.body);
      assert.match(answer.body, /^\{"token":"tsr_\w+"\}$/);
      newLogs();
    });

    test('repeated Content-Type lines ending in text/plain → 415 whatever the first said', async () => {
      const answer = await exchange(app.port, {
        bytes: post('/api-token-auth/', [JSON_TYPE, 'Content-Type: text/plain'], LOGIN),
      });
      assert.equal(answer.status, 415, answer.body);
      assert.equal(answer.body, DRF_BODIES.textPlainUnsupported);
      newLogs();
    });

    test('every method Node accepts, on a routed path with a valid key → 405 with Allow', async () => {
      const wrong: string[] = [];
      for (const method of UNUSUAL_METHODS) {
        const answer = await exchange(app.port, {
          bytes: head(`${method} /api/build-trigger/ HTTP/1.1`, [auth, 'Content-Length: 0']),
        });
        const got = essentials(answer);
        const expected = {
          status: 405,
          contentType: 'application/json',
          allow: BUILD_TRIGGER_ALLOW,
          wwwAuthenticate: undefined,
          body: notAllowed(method),
          framing: 'length',
        };
        if (JSON.stringify(got) !== JSON.stringify(expected)) {
          wrong.push(`${method}: ${JSON.stringify(got)}`);
        }
      }
      assert.deepEqual(wrong, []);
      newLogs();
    });

    test('HEAD → 405 with Allow and the Content-Length of the answer it would send', async () => {
      const answer = await exchange(app.port, {
        bytes: head('HEAD /api/build-trigger/ HTTP/1.1', [auth]),
        head: true,
      });
      assert.equal(answer.status, 405);
      assert.equal(answer.headers.allow?.[0], BUILD_TRIGGER_ALLOW);
      assert.equal(answer.headers['content-length']?.[0], String(notAllowed('HEAD').length));
      newLogs();
    });

    test('a valid key → 200 with Content-Length: 0 (a host handler frames its own)', async () => {
      const answer = await exchange(app.port, { bytes: post('/api/build-trigger/', [auth]) });
      assert.equal(answer.status, 200);
      assert.equal(answer.body, '');
      // Hono's `c.body(null, 200)` goes out chunked on node-server: the host's answer, not a view's.
      if (target.name !== 'Hono adapter') {
        assert.equal(answer.framing, 'length');
        assert.equal(answer.headers['content-length']?.[0], '0');
      }
      newLogs();
    });

    test('a valid key with an empty JSON body → 200 (no body is read)', async () => {
      const answer = await exchange(app.port, {
        bytes: post('/api/build-trigger/', [auth, JSON_TYPE]),
      });
      assert.equal(answer.status, 200, answer.body);
      newLogs();
    });

    test('paths differing by a slash or by case are not the route → 404', async () => {
      // NestJS routes a controller's path with or without its trailing slash and in any case:
      // its router's choice, documented in docs/frameworks.md.
      const routed = target.name === 'NestJS adapter' ? 200 : 404;
      for (const path of ['/api/build-trigger', '/API/build-trigger/']) {
        const answer = await exchange(app.port, { bytes: post(path, [auth]) });
        assert.equal(answer.status, routed, `${path}: ${answer.body}`);
      }
      newLogs();
    });

    test('Expect: 100-continue → 100, then the login answers 200', async () => {
      const lines = [
        JSON_TYPE,
        'Expect: 100-continue',
        `Content-Length: ${Buffer.byteLength(LOGIN)}`,
      ];
      const answer = await exchange(app.port, {
        bytes: head('POST /api-token-auth/ HTTP/1.1', lines),
        afterContinue: LOGIN,
      });
      assert.deepEqual(answer.interim, [100]);
      assert.equal(answer.status, 200, answer.body);
      newLogs();
    });

    test('a login trickled a few bytes at a time → 200', async () => {
      const answer = await exchange(app.port, {
        bytes: post('/api-token-auth/', [JSON_TYPE], LOGIN),
        trickle: { size: 16, pauseMs: 5 },
      });
      assert.equal(answer.status, 200, answer.body);
      newLogs();
    });

    test('a declared body over the limit → 413 with Connection: close', async () => {
      const body = JSON.stringify({ username: USERNAME, password: 'x'.repeat(MAX_BODY_BYTES) });
      const answer = await exchange(app.port, {
        bytes: post('/api-token-auth/', [JSON_TYPE], body),
      });
      const { allow: _allow, ...got } = essentials(answer);
      // `Allow` aside: where the host's parser reads first, it answers before any view.
      assert.deepEqual(
        { ...got, connection: answer.headers.connection?.[0] },
        {
          status: 413,
          contentType: 'application/json',
          wwwAuthenticate: undefined,
          body: TOO_LARGE,
          framing: 'length',
          connection: 'close',
        },
      );
      newLogs();
    });

    test('a chunked body over the limit → 413', async () => {
      const body = JSON.stringify({ username: USERNAME, password: 'x'.repeat(MAX_BODY_BYTES) });
      const answer = await exchange(app.port, {
        bytes: chunked('/api-token-auth/', [JSON_TYPE], body),
      });
      assert.equal(answer.status, 413, answer.body);
      assert.equal(answer.body, TOO_LARGE);
      newLogs();
    });

    test('a chunked login under the limit → 200', async () => {
      const answer = await exchange(app.port, {
        bytes: chunked('/api-token-auth/', [JSON_TYPE], LOGIN, 7),
      });
      assert.equal(answer.status, 200, answer.body);
      newLogs();
    });

    test('JSON nested deeper than 1000 levels → 400 with Python’s recursion message', async () => {
      for (const [open, close, kind] of [
        ['[', ']', 'array'],
        ['{"a":', '}', 'object'],
      ] as const) {
        const body = open.repeat(1001) + '1' + close.repeat(1001);
        const answer = await exchange(app.port, {
          bytes: post('/api-token-auth/', [JSON_TYPE], body),
        });
        assert.equal(answer.status, 400, answer.body);
        assert.equal(answer.body, TOO_DEEP(kind));
      }
      newLogs();
    });

    test('a malformed JSON body → DRF’s 400 without body bytes, nothing logged with them', async () => {
      const body = `{"username":"${USERNAME}","password":"${PASSWORD}"`;
      const answer = await exchange(app.port, {
        bytes: post('/api-token-auth/', [JSON_TYPE], body),
      });
      assert.equal(answer.status, 400);
      assert.match(answer.body, /^\{"detail":"JSON parse error - /);
      assert.ok(!answer.body.includes(PASSWORD), answer.body);
      newLogs();
    });

    test('a malformed JSON body on a guarded route → no body bytes in the answer or the log', async () => {
      const body = `{"note":"${PASSWORD}`;
      const answer = await exchange(app.port, {
        bytes: post('/api/build-trigger/', [auth, JSON_TYPE], body),
      });
      // The host's parser may read it first (Express, NestJS): its answer is its 400, in DRF's
      // words; a view that never reads the body answers 200, as DRF does.
      assert.ok([200, 400].includes(answer.status), `${answer.status} ${answer.body}`);
      assert.ok(!answer.body.includes(PASSWORD), answer.body);
      newLogs();
    });

    test('a client resetting the connection mid-body → no error logged, the app serves on', async () => {
      const lines = [JSON_TYPE, `Content-Length: ${Buffer.byteLength(LOGIN) + 100}`];
      await abortMidBody(
        app.port,
        head('POST /api-token-auth/ HTTP/1.1', lines),
        LOGIN.slice(0, 10),
      );
      await abortMidBody(
        app.port,
        head('POST /api/build-trigger/ HTTP/1.1', [auth, ...lines]),
        '{',
      );
      const answer = await exchange(app.port, {
        bytes: post('/api-token-auth/', [JSON_TYPE], LOGIN),
      });
      assert.equal(answer.status, 200);
      for (const line of newLogs())
        assert.ok(!/aborted/i.test(line.text) || line.level === 'debug', line.text);
    });

    if (target.handlers) {
      for (const framing of ['declared', 'chunked'] as const) {
        const send = (path: string) =>
          framing === 'declared'
            ? post(path, [auth, JSON_TYPE], '{}')
            : chunked(path, [auth, JSON_TYPE], '{}');

        test(`a handler throwing an Error (${framing} body) → DRF's 500, reported without the key`, async () => {
          const answer = await exchange(app.port, { bytes: send('/api/explode/') });
          assert.deepEqual(essentials(answer), {
            status: 500,
            contentType: 'application/json',
            allow: BUILD_TRIGGER_ALLOW,
            wwwAuthenticate: undefined,
            body: SERVER_ERROR,
            framing: 'length',
          });
          assert.ok(!answer.body.includes(ERROR_SECRET));
          const logged = newLogs({ errorsAllowed: true });
          assert.ok(
            logged.some((line) => line.text.includes(ERROR_SECRET)),
            'the error was reported',
          );
        });

        test(`a handler throwing PermissionDenied (${framing} body) → 403 with Allow`, async () => {
          const answer = await exchange(app.port, { bytes: send('/api/denied/') });
          assert.deepEqual(essentials(answer), {
            status: 403,
            contentType: 'application/json',
            allow: BUILD_TRIGGER_ALLOW,
            wwwAuthenticate: undefined,
            body: PERMISSION_DENIED,
            framing: 'length',
          });
          newLogs();
        });
      }
    }

    if (target.name === 'NestJS adapter') {
      test('a sub-path of a protected controller answers other methods 401, then 405', async () => {
        const anonymous = await exchange(app.port, { bytes: post('/api/widgets/7', []) });
        assert.equal(anonymous.status, 401, anonymous.body);
        assert.equal(anonymous.body, DRF_BODIES.notAuthenticated);
        const answer = await exchange(app.port, { bytes: post('/api/widgets/7', [auth]) });
        assert.equal(answer.status, 405, answer.body);
        assert.equal(answer.headers.allow?.[0], 'GET, HEAD, OPTIONS');
        assert.equal(answer.body, notAllowed('POST'));
        const root = await exchange(app.port, {
          bytes: head('DELETE /api/widgets HTTP/1.1', [auth]),
        });
        assert.equal(root.status, 405, root.body);
        assert.equal(root.headers.allow?.[0], 'POST, OPTIONS');
        newLogs();
      });
    }

    // Last: it uses up the address's key-guessing allowance.
    test('a client rotating X-Forwarded-For still meets the key-guessing limit → 429', async () => {
      const statuses: number[] = [];
      for (let guess = 0; guess < 70; guess += 1) {
        const forwarded = `X-Forwarded-For: 198.51.100.${guess}`;
        const answer = await exchange(app.port, {
          bytes: post('/api/build-trigger/', [
            `Authorization: Token tsr_${'x'.repeat(38)}`,
            forwarded,
          ]),
        });
        statuses.push(answer.status);
      }
      assert.ok(statuses.includes(429), `no 429 in ${statuses.join(',')}`);
      newLogs();
      // Counted over the app's whole log: the first request may have been told already.
      const warnings = app.logs.filter((line) =>
        line.text.includes('which tessera does not follow'),
      );
      // Apps setting their framework's trust in X-Forwarded-For are told, once.
      const trusting = ['Fastify plugin', 'Express adapter', 'NestJS adapter'].includes(
        target.name,
      );
      assert.equal(warnings.length, trusting ? 1 : 0, JSON.stringify(warnings));
    });
  });
}
