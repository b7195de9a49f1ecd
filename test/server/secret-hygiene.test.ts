import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../../src/core/config/settings.js';
import type { Request, ViewRequest } from '../../src/core/http/request.js';
import type { View } from '../../src/core/http/view.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { createTessera, type Tessera } from '../../src/core/tessera.js';
import { ManualClock } from '../../src/core/time/clock.js';
import { keyDigest } from '../../src/core/tokens/key-format.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { CliSandbox } from '../cli/run-cli.js';
import { sendRaw } from '../parity/raw-http-client.js';

const KEY = /tsr_[0-9A-Za-z]{38}/g;

/** Every secret the flow handled: keys, their digests and random parts, passwords and hashes. */
class Secrets {
  readonly #values = new Set<string>();

  key(key: string): string {
    this.#values.add(key);
    this.#values.add(key.slice(4));
    this.#values.add(keyDigest(key));
    return key;
  }

  keysIn(text: string): string[] {
    return [...text.matchAll(KEY)].map((match) => this.key(match[0]));
  }

  password(password: string): string {
    this.#values.add(password);
    return password;
  }

  /** A stored Django hash: the whole value, its salt and its derived key. */
  hash(encoded: string): void {
    const [, , salt, derived] = encoded.split('$');
    this.#values.add(encoded);
    if (salt) this.#values.add(salt);
    if (derived) this.#values.add(derived);
  }

  /** The secrets found in `text` (shown shortened, so the failure message leaks nothing). */
  foundIn(text: string): string[] {
    return [...this.#values]
      .filter((secret) => text.includes(secret))
      .map((s) => `${s.slice(0, 6)}…`);
  }
}

/** Every string an error carries: message, stack, cause and own enumerable properties, deeply. */
function errorText(error: unknown, seen = new Set<unknown>()): string {
  if (error === null || error === undefined || seen.has(error)) return '';
  if (typeof error !== 'object') return String(error);
  seen.add(error);
  const parts: string[] = [];
  if (error instanceof Error) {
    parts.push(error.message, error.stack ?? '', errorText(error.cause, seen));
  }
  for (const value of Object.values(error)) parts.push(errorText(value, seen));
  return parts.join('\n');
}

function fakeRaw(method: string, headers: Record<string, string>, body = ''): ViewRequest {
  return {
    method,
    header: (name) => headers[name],
    query: () => undefined,
    readBody: async () => new TextEncoder().encode(body),
    remoteAddress: '192.0.2.1',
  };
}

describe('secret hygiene: keys, digests and passwords never leak', () => {
  const secrets = new Secrets();
  const cli = new CliSandbox();
  const filename = join(cli.dir, 'db.sqlite3');
  const logStream = new PassThrough();
  let log = '';
  logStream.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const cliOutputs: { command: string; output: string; shown: string[] }[] = [];
  let store: Store;
  let app: FastifyInstance;
  let url = '';

  /** Runs the CLI; `shows` is how many new keys the command may print (one line each). */
  function runCli(args: string[], shows: number, input?: string): string {
    const result = cli.run(args, { input });
    const output = result.stdout + result.stderr;
    const shown = secrets.keysIn(output);
    assert.equal(shown.length, shows, `${args.join(' ')} printed ${shown.length} keys`);
    cliOutputs.push({ command: args.join(' '), output, shown });
    return output;
  }

  async function call(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ) {
    const response = await sendRaw(url, {
      method,
      path,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    secrets.keysIn(response.body);
    return response;
  }

  const json = (key: string | undefined, extra: Record<string, string> = {}) => ({
    ...(key ? { Authorization: `Token ${key}` } : {}),
    'Content-Type': 'application/json',
    ...extra,
  });

  before(async () => {
    runCli(['migrate'], 0);
    runCli(
      ['users', 'add', 'alice', '--password-stdin'],
      0,
      `${secrets.password('Alice-pass-1')}\n`,
    );
    runCli(['drf_create_token', 'alice'], 1);
    runCli(['tokens', 'create', 'alice', '--name', 'ci', '--scope', 'builds:trigger'], 1);
    runCli(['drf_create_token', 'alice'], 0); // fails: the key cannot be shown again
    runCli(['tokens', 'list'], 0);
    runCli(['tokens', 'list', '--json'], 0);
    runCli(['users', 'list', '--json'], 0);
    runCli(['tokens', 'rotate', '2'], 1);
    runCli(
      ['users', 'add', 'alice', '--password-stdin'],
      0,
      `${secrets.password('Other-pass-2')}\n`,
    );
    runCli(
      ['changepassword', 'alice'],
      0,
      `${secrets.password('Alice-pass-3')}\n${'Alice-pass-3'}\n`,
    );

    store = openSqliteStore({ filename });
    const settings: TesseraSettings = {
      ...DEFAULT_SETTINGS,
      passwordIterations: 1000,
      logLevel: 'debug',
      databaseUrl: `sqlite:${filename}`,
    };
    app = await buildServer({ store, settings, logStream });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (app.server.listening) await app.close();
    await store.close();
    cli.cleanup();
  });

  test('the whole flow over HTTP, logged at debug level: nothing secret in the log', async () => {
    secrets.password('wrong-password');
    const login = await call(
      'POST',
      '/api-token-auth/',
      json(undefined),
      '{"username":"alice","password":"Alice-pass-3"}',
    );
    assert.equal(login.status, 200);
    const [loginKey] = secrets.keysIn(login.body);
    assert.ok(loginKey);
    assert.equal((await call('POST', '/api/build-trigger/', json(loginKey))).status, 200);
    // The same request with the key in the query string and a stray header.
    await call(
      'POST',
      `/api/build-trigger/?key=${loginKey}`,
      json(loginKey, { 'X-Api-Key': loginKey }),
    );
    await call(
      'POST',
      '/api-token-auth/',
      json(undefined),
      '{"username":"alice","password":"wrong-password"}',
    );
    await call(
      'POST',
      '/api-token-auth/',
      json(undefined),
      '{"username":"nobody","password":"wrong-password"}',
    );
    await call(
      'POST',
      '/api-token-auth/',
      json(undefined),
      '{"username":"alice","password":"Alice-pass-3"',
    );
    await call(
      'POST',
      '/api-token-auth/',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      'username=alice&password=wrong-password',
    );
    const created = await call(
      'POST',
      '/api/tokens/',
      json(loginKey),
      '{"name":"deploy","expires_in":"1d"}',
    );
    assert.equal(created.status, 201);
    const { id, key: deployKey } = JSON.parse(created.body) as { id: number; key: string };
    assert.equal((await call('POST', '/api/build-trigger/', json(deployKey))).status, 200);
    const rotated = await call('POST', `/api/tokens/${id}/rotate/`, json(loginKey));
    assert.equal(rotated.status, 200);
    assert.equal((await call('POST', '/api/build-trigger/', json(deployKey))).status, 401);
    assert.equal((await call('DELETE', `/api/tokens/${id}/`, json(loginKey))).status, 204);
    await call(
      'POST',
      '/api/build-trigger/',
      json(`${loginKey.slice(0, -1)}${loginKey.endsWith('x') ? 'y' : 'x'}`),
    );
    await call('POST', '/api/build-trigger/', { Authorization: `Token ${loginKey} ${loginKey}` });
    await call('POST', '/api/build-trigger/', { Authorization: `Token ${loginKey}\u00ff` });
    await call('GET', '/api/tokens/', json(loginKey));
    assert.equal((await call('POST', '/api-token-auth/logout/', json(loginKey))).status, 204);
    assert.equal((await call('POST', '/api/build-trigger/', json(loginKey))).status, 401);
    const again = await call(
      'POST',
      '/api-token-auth/',
      json(undefined),
      '{"username":"alice","password":"Alice-pass-3"}',
    );
    const [lastKey] = secrets.keysIn(again.body);
    assert.equal((await call('POST', '/api-token-auth/logoutall/', json(lastKey))).status, 204);
    // Closing writes the pending token uses: whatever it logs is checked too.
    await app.close();
    const alice = await store.getUserByUsername('alice');
    if (alice) secrets.hash(alice.password);

    assert.match(log, /"event":"authenticated"/, 'debug level logs every event');
    assert.match(log, /"event":"token_rotated"/);
    assert.deepEqual(secrets.foundIn(log), []);
  });

  test('CLI output shows a key only on the line that creates it', () => {
    for (const { command, output, shown } of cliOutputs) {
      let rest = output;
      for (const key of shown) {
        const line = new RegExp(`^Generated token ${key} for user alice$`, 'm');
        assert.match(rest, line, command);
        rest = rest.replace(line, '');
      }
      assert.deepEqual(secrets.foundIn(rest), [], command);
    }
  });

  test('no thrown error carries a secret: message, stack, cause, own properties', async () => {
    const clock = new ManualClock(Date.now());
    const errorStore = openSqliteStore({ filename: ':memory:' });
    await errorStore.migrate();
    const passwords = new PasswordHasher({ iterations: 1000 });
    const tessera: Tessera = createTessera({
      store: errorStore,
      clock,
      passwords,
      settings: { loginFailuresPerUserIp: '2/min' },
    });
    await createUser(errorStore, passwords, clock, {
      username: 'bob',
      password: secrets.password('Bob-pass-1'),
    });
    const errors: unknown[] = [];

    /** DRF's dispatch without the final render: the checks, then the handler; errors kept. */
    async function dispatch(view: View, raw: ViewRequest, params: Record<string, string> = {}) {
      try {
        const request: Request = await view.check(raw, params);
        const handler = view.options[raw.method.toLowerCase() as 'post'];
        return await handler?.(request);
      } catch (error) {
        errors.push(error);
        return undefined;
      }
    }

    const login = (body: string, type = 'application/json') =>
      dispatch(tessera.views.obtainToken, fakeRaw('POST', { 'content-type': type }, body));
    const result = await login('{"username":"bob","password":"Bob-pass-1"}');
    const key = secrets.key((result as { data: { token: string } }).data.token);
    const auth = { authorization: `Token ${key}`, 'content-type': 'application/json' };
    await login(`{"username":"bob","password":"${secrets.password('bad-pass-1')}"}`);
    await login(`{"username":"bob","password":"${secrets.password('bad-pass-2')}"}`);
    await login('{"username":"bob","password":"Bob-pass-1"}'); // throttled now
    await login(`{"username":"bob","password":"${secrets.password('truncated-pass')}"`);
    await login(
      `username=bob&password=${secrets.password('form-pass')}%`,
      'application/x-www-form-urlencoded; charset=bogus',
    );
    await login(
      `--b\r\nContent-Disposition: form-data; name="password"\r\n\r\n${secrets.password('mp-pass')}`,
      'multipart/form-data; boundary="',
    );
    await login('{"username":"","password":"Bob-pass-1"}');
    const created = await dispatch(
      tessera.views.tokens.list,
      fakeRaw('POST', auth, '{"name":"x","scopes":["*"]}'),
    );
    const createdKey = secrets.key((created as { data: { key: string } }).data.key);
    await dispatch(
      tessera.views.tokens.list,
      fakeRaw('POST', auth, `{"name":"${createdKey}","expires_in":"${key}"}`),
    );
    await dispatch(tessera.views.tokens.detail, fakeRaw('DELETE', auth), { id: '999' });
    await dispatch(
      tessera.views.tokens.detail,
      fakeRaw('GET', { authorization: `Token ${createdKey}x` }),
      { id: '1' },
    );
    await dispatch(tessera.views.logout, fakeRaw('POST', { authorization: `Token ${key} ${key}` }));
    await dispatch(tessera.views.logout, fakeRaw('POST', { authorization: `Token ${key}\u00ff` }));
    await dispatch(tessera.views.logoutAll, fakeRaw('POST', auth));
    await dispatch(tessera.views.logout, fakeRaw('POST', auth)); // the key is gone now
    await passwords.hash('lone \ud800 surrogate').catch((error: unknown) => errors.push(error));
    await createUser(errorStore, passwords, clock, {
      username: 'bad name!',
      password: secrets.password('Carol-pass-1'),
    }).catch((error: unknown) => errors.push(error));
    const bob = await errorStore.getUserByUsername('bob');
    if (bob) secrets.hash(bob.password);
    await tessera.close();
    await errorStore.close();
    // A store that fails: its 503 keeps the driver's error as `cause`.
    const broken = openSqliteStore({ filename: ':memory:' });
    const failing = createTessera({ store: broken, passwords });
    await broken.close();
    await dispatch(
      failing.views.obtainToken,
      fakeRaw(
        'POST',
        { 'content-type': 'application/json' },
        '{"username":"bob","password":"Bob-pass-1"}',
      ),
    );
    await dispatch(failing.views.tokens.list, fakeRaw('GET', auth));

    const kinds = new Set(errors.map((error) => (error as Error).constructor.name));
    for (const kind of [
      'ValidationError',
      'Throttled',
      'ParseError',
      'AuthenticationFailed',
      'NotFound',
      'TypeError',
      'ServiceUnavailable',
    ]) {
      assert.ok(kinds.has(kind), `the flow raised no ${kind}: ${[...kinds].join(', ')}`);
    }
    for (const error of errors) {
      assert.deepEqual(secrets.foundIn(errorText(error)), [], (error as Error).constructor.name);
    }
  });
});
