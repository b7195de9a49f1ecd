// Sends the same requests to the real DRF (Debian's python3-djangorestframework, served by
// gunicorn) and to tessera's reference server, and compares status, headers and body.
// Optional: `npm run test:drf`. It needs /usr/bin/python3 with Django and DRF, and gunicorn
// (`apt-get install python3-djangorestframework python3-django gunicorn`); `npm test` does not.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SETTINGS, THROTTLING_OFF } from '../src/core/config/settings.js';
import { PasswordHasher } from '../src/core/passwords/index.js';
import { systemClock } from '../src/core/time/clock.js';
import { issueDefaultToken } from '../src/core/tokens/token-issuer.js';
import { createUser } from '../src/core/users/users.js';
import { buildServer } from '../src/server/app.js';
import { openSqliteStore } from '../src/stores/sqlite/index.js';
import { type RawResponse, sendRaw } from '../test/parity/raw-http-client.js';

const PYTHON = '/usr/bin/python3';
const APP_DIR = resolve(import.meta.dirname, 'drf');

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** `{alice}` and `{bob}` become each side's key for that user; a list is a repeated header. */
  readonly headers?: Record<string, string | readonly string[]>;
  readonly body?: string;
  /** A difference tessera documents (README, "Differences from DRF"). */
  readonly documented?: string;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const FORM_TYPE = { 'Content-Type': 'application/x-www-form-urlencoded' };
const TRIGGER = '/api/build-trigger/';
const LOGIN = '/api-token-auth/';

const CASES: Case[] = [
  { name: 'no header', method: 'POST', path: TRIGGER },
  {
    name: 'Token <key>',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'Token {alice}' },
  },
  {
    name: 'token <key>',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'token {alice}' },
  },
  {
    name: 'TOKEN   <key>',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'TOKEN   {alice}' },
  },
  {
    name: 'Token\\t<key>',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'Token\t{alice}' },
  },
  { name: 'Token', method: 'POST', path: TRIGGER, headers: { Authorization: 'Token' } },
  { name: 'Token a b', method: 'POST', path: TRIGGER, headers: { Authorization: 'Token a b' } },
  { name: 'Token wrong', method: 'POST', path: TRIGGER, headers: { Authorization: 'Token wrong' } },
  {
    name: 'Token <key>\\xb8',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'Token {alice}\u00b8' },
  },
  {
    name: 'Token <key>\\xa0',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'Token {alice}\u00a0' },
  },
  {
    name: 'inactive user',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'Token {bob}' },
  },
  {
    name: 'Bearer <key>',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'Bearer {alice}' },
  },
  { name: 'Tokenabcd', method: 'POST', path: TRIGGER, headers: { Authorization: 'Tokenabcd1234' } },
  {
    name: 'GET, valid token',
    method: 'GET',
    path: TRIGGER,
    headers: { Authorization: 'Token {alice}' },
  },
  { name: 'GET, no token', method: 'GET', path: TRIGGER },
  {
    name: 'malformed body, valid token',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: 'Token {alice}', ...JSON_TYPE },
    body: '{bad',
  },
  { name: 'OPTIONS, no token', method: 'OPTIONS', path: TRIGGER },
  {
    name: 'OPTIONS, valid token',
    method: 'OPTIONS',
    path: TRIGGER,
    headers: { Authorization: 'Token {alice}' },
    documented: 'renders lists JSON only',
  },
  {
    name: 'Accept: text/html',
    method: 'POST',
    path: LOGIN,
    headers: { Accept: 'text/html', ...FORM_TYPE },
    body: 'username=alice&password=alice-password',
  },
  {
    name: 'login, JSON',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":"alice","password":"alice-password"}',
  },
  {
    name: 'login, form',
    method: 'POST',
    path: LOGIN,
    headers: FORM_TYPE,
    body: 'username=alice&password=alice-password',
  },
  {
    name: 'login, trimmed username',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":" alice ","password":"alice-password"}',
  },
  {
    name: 'wrong password',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":"alice","password":"nope"}',
  },
  {
    name: 'inactive user login',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":"bob","password":"bob-password"}',
  },
  {
    name: 'unknown user',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":"nobody","password":"x"}',
  },
  {
    name: 'password missing',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":"alice"}',
  },
  { name: 'empty object', method: 'POST', path: LOGIN, headers: JSON_TYPE, body: '{}' },
  {
    name: 'blank fields',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":"","password":""}',
  },
  {
    name: 'null fields',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":null,"password":null}',
  },
  { name: 'a list', method: 'POST', path: LOGIN, headers: JSON_TYPE, body: '[1,2]' },
  { name: 'JSON null', method: 'POST', path: LOGIN, headers: JSON_TYPE, body: 'null' },
  {
    name: 'non-strings',
    method: 'POST',
    path: LOGIN,
    headers: JSON_TYPE,
    body: '{"username":true,"password":["a"]}',
  },
  { name: 'malformed JSON', method: 'POST', path: LOGIN, headers: JSON_TYPE, body: '{"username":' },
  {
    name: 'text/plain',
    method: 'POST',
    path: LOGIN,
    headers: { 'Content-Type': 'text/plain' },
    body: 'x',
  },
  {
    name: 'multipart, no boundary',
    method: 'POST',
    path: LOGIN,
    headers: { 'Content-Type': 'multipart/form-data' },
    body: 'x',
  },
  { name: 'no body', method: 'POST', path: LOGIN },
  {
    name: '?format=xml',
    method: 'POST',
    path: `${LOGIN}?format=xml`,
    headers: FORM_TYPE,
    body: 'username=alice&password=alice-password',
  },
  // A repeated header: gunicorn joins the lines with ',' in the WSGI environ (Content-Type: the
  // last line wins); Node keeps only the first `Authorization`.
  {
    name: 'two Authorization headers, two valid keys',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: ['Token {alice}', 'Token {alice}'] },
  },
  {
    name: 'two Authorization headers, valid then garbage',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: ['Token {alice}', 'garbage'] },
  },
  {
    name: 'two Authorization headers, garbage then valid',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: ['garbage', 'Token {alice}'] },
  },
  {
    name: 'two Authorization headers, valid then empty',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: ['Token {alice}', ''] },
  },
  {
    name: 'two Authorization headers, empty then valid',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: ['', 'Token {alice}'] },
  },
  {
    name: 'two Authorization headers, keyword then key',
    method: 'POST',
    path: TRIGGER,
    headers: { Authorization: ['Token', '{alice}'] },
  },
  {
    name: 'two Content-Type headers, text/plain then JSON',
    method: 'POST',
    path: LOGIN,
    headers: { 'Content-Type': ['text/plain', 'application/json'] },
    body: '{"username":"alice","password":"alice-password"}',
  },
  {
    name: 'two Content-Type headers, JSON then text/plain',
    method: 'POST',
    path: LOGIN,
    headers: { 'Content-Type': ['application/json', 'text/plain'] },
    body: '{"username":"alice","password":"alice-password"}',
  },
  {
    name: 'two Accept headers',
    method: 'POST',
    path: LOGIN,
    headers: { Accept: ['text/html', 'application/json'], ...FORM_TYPE },
    body: 'username=alice&password=alice-password',
  },
  { name: 'GET obtain-token', method: 'GET', path: LOGIN },
  { name: 'OPTIONS obtain-token', method: 'OPTIONS', path: LOGIN },
];

const COMPARED_HEADERS = ['content-type', 'www-authenticate', 'allow'];

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('gunicorn exited');
    try {
      await sendRaw(url, { method: 'GET', path: LOGIN });
      return;
    } catch {
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
  throw new Error(`DRF did not start at ${url}`);
}

/** Each side's answer with its keys replaced by placeholders, so only behaviour is compared. */
function normalised(response: RawResponse, keys: Record<string, string>): string {
  let body = response.body;
  for (const [user, key] of Object.entries(keys)) body = body.replaceAll(key, `{${user}}`);
  body = body.replace(/"token":"[^"]+"/, '"token":"<new or existing key>"');
  const headers = COMPARED_HEADERS.map((name) => `${name}: ${response.headers[name] ?? '-'}`);
  return `${response.status} ${headers.join(' | ')} | ${body}`;
}

function send(url: string, test: Case, keys: Record<string, string>) {
  const withKeys = (value: string) =>
    value.replace(/\{(\w+)\}/g, (_, user: string) => keys[user] ?? '');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(test.headers ?? {})) {
    headers[name] = typeof value === 'string' ? withKeys(value) : value.map(withKeys);
  }
  return sendRaw(url, {
    method: test.method,
    path: test.path,
    headers,
    ...(test.body === undefined ? {} : { body: test.body }),
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-drf-'));
let gunicorn: ChildProcess | undefined;
try {
  try {
    execFileSync(PYTHON, ['-c', 'import django, rest_framework'], { stdio: 'ignore' });
    execFileSync('gunicorn', ['--version'], { stdio: 'ignore' });
  } catch {
    console.error(
      "Needs Debian's DRF: apt-get install python3-djangorestframework python3-django gunicorn",
    );
    process.exit(1);
  }
  const env = { ...process.env, DRF_DIFF_DB: join(dir, 'drf.sqlite3'), PYTHONPATH: APP_DIR };
  const drfKeys = JSON.parse(
    execFileSync(PYTHON, [join(APP_DIR, 'drf_app.py'), 'setup'], { env, encoding: 'utf8' }),
  ) as Record<string, string>;
  const port = await freePort();
  gunicorn = spawn(
    'gunicorn',
    ['-b', `127.0.0.1:${port}`, '--workers', '1', 'drf_app:application'],
    { env, stdio: 'ignore' },
  );
  const drfUrl = `http://127.0.0.1:${port}`;
  await waitFor(drfUrl, gunicorn);

  const store = openSqliteStore({ filename: ':memory:' });
  await store.migrate();
  const passwords = new PasswordHasher({ iterations: 1000 });
  const settings = { ...DEFAULT_SETTINGS, ...THROTTLING_OFF, passwordIterations: 1000 };
  const tesseraKeys: Record<string, string> = {};
  for (const [username, password, isActive] of [
    ['alice', 'alice-password', true],
    ['bob', 'bob-password', false],
  ] as const) {
    const user = await createUser(store, passwords, systemClock, { username, password, isActive });
    tesseraKeys[username] = (await issueDefaultToken(store, user.id, systemClock)).key;
  }
  const app = await buildServer({ store, settings, passwords, logger: false });
  const tesseraUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  let same = 0;
  let documented = 0;
  const differences: string[] = [];
  for (const test of CASES) {
    const drf = normalised(await send(drfUrl, test, drfKeys), drfKeys);
    const ours = normalised(await send(tesseraUrl, test, tesseraKeys), tesseraKeys);
    if (drf === ours) same++;
    else if (test.documented) documented++;
    else differences.push(`${test.name}\n    DRF:     ${drf}\n    tessera: ${ours}`);
    if (drf !== ours && test.documented)
      console.log(`documented difference (${test.documented}): ${test.name}`);
  }
  await app.close();
  await store.close();
  console.log(
    `${same} of ${CASES.length} requests answered identically; ${documented} documented differences`,
  );
  for (const difference of differences) console.log(`DIFFERENT: ${difference}`);
  process.exitCode = differences.length === 0 ? 0 : 1;
} finally {
  gunicorn?.kill();
  rmSync(dir, { recursive: true, force: true });
}
