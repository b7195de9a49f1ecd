import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DRF_BODIES, OBTAIN_TOKEN_METADATA } from './drf-bodies.js';
import { multipartBody } from './form-bodies.js';
import {
  assertEmptyResponse,
  assertJsonParseError,
  assertJsonResponse,
  assertObtainedToken,
  assertUnableToLogIn,
} from './parity-assertions.js';
import type { ParitySession } from './parity-session.js';

// What AuthTokenSerializer reports for a JSON body that is not an object (Python's type names).
const NON_OBJECT_BODIES: ReadonlyArray<readonly [json: string, pythonType: string]> = [
  ['[1,2]', 'list'],
  ['"str"', 'str'],
  ['5', 'int'],
  ['true', 'bool'],
  ['1.5', 'float'],
];

/** Section 2's observed `POST /api-token-auth/` table, plus rows observed on DRF 3.14 here. */
export function obtainTokenCases(session: ParitySession): void {
  /** Asserts that `key` authenticates on build-trigger. */
  async function assertKeyWorks(key: string): Promise<void> {
    assertEmptyResponse(await session.buildTrigger(`Token ${key}`), 200);
  }

  describe('ObtainAuthToken: logging in (section 2 table)', () => {
    test('valid username/password as JSON → 200 {"token":"<key>"}, and the key works', async () => {
      const user = await session.newUser();
      const key = assertObtainedToken(await session.obtainTokenWithJson(user));
      await assertKeyWorks(key);
    });

    test('valid username/password as a form → 200 {"token":"<key>"}, and the key works', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithForm([
        ['username', user.username],
        ['password', user.password],
      ]);
      await assertKeyWorks(assertObtainedToken(res));
    });

    test('valid username/password as multipart/form-data → 200 {"token":"<key>"}', async () => {
      const user = await session.newUser();
      const { boundary, body } = multipartBody([
        ['username', user.username],
        ['password', user.password],
      ]);
      const res = await session.obtainToken(`multipart/form-data; boundary=${boundary}`, body);
      await assertKeyWorks(assertObtainedToken(res));
    });

    test('two logins give two different keys, both working (tessera: never the existing key)', async () => {
      const user = await session.newUser();
      const first = assertObtainedToken(await session.obtainTokenWithJson(user));
      const second = assertObtainedToken(await session.obtainTokenWithJson(user));
      assert.notEqual(first, second);
      await assertKeyWorks(first);
      await assertKeyWorks(second);
    });

    test('login gives a new key even when the user has a default token; both work', async () => {
      const user = await session.newUser();
      const defaultKey = await session.app.issueDefaultToken(user.username);
      const loginKey = assertObtainedToken(await session.obtainTokenWithJson(user));
      assert.notEqual(loginKey, defaultKey);
      await assertKeyWorks(defaultKey);
      await assertKeyWorks(loginKey);
    });

    test('wrong password → 400 "Unable to log in with provided credentials."', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson({
        username: user.username,
        password: 'badpass',
      });
      assertUnableToLogIn(res);
    });

    test('inactive user with the right password → 400 "Unable to log in…"', async () => {
      const user = await session.newUser({ isActive: false });
      assertUnableToLogIn(await session.obtainTokenWithJson(user));
    });

    test('user deactivated after creation → 400 "Unable to log in…"', async () => {
      const user = await session.newUser();
      await session.app.deactivateUser(user.username);
      assertUnableToLogIn(await session.obtainTokenWithJson(user));
    });

    test('unknown user → 400 "Unable to log in…"', async () => {
      const username = session.uniqueUsername('nobody');
      assertUnableToLogIn(await session.obtainTokenWithJson({ username, password: 'whatever' }));
    });

    test('{"username":"<name>"} only → 400 {"password":["This field is required."]}', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson({ username: user.username });
      assertJsonResponse(res, 400, DRF_BODIES.passwordRequired);
    });

    test('{} → 400 both fields "This field is required."', async () => {
      assertJsonResponse(await session.obtainTokenWithJson({}), 400, DRF_BODIES.bothRequired);
    });

    test('empty strings → 400 both fields "This field may not be blank."', async () => {
      const res = await session.obtainTokenWithJson({ username: '', password: '' });
      assertJsonResponse(res, 400, DRF_BODIES.bothBlank);
    });

    test('nulls → 400 both fields "This field may not be null."', async () => {
      const res = await session.obtainTokenWithJson({ username: null, password: null });
      assertJsonResponse(res, 400, DRF_BODIES.bothNull);
    });

    for (const [json, pythonType] of NON_OBJECT_BODIES) {
      test(`JSON ${json} → 400 "Invalid data. Expected a dictionary, but got ${pythonType}."`, async () => {
        const res = await session.obtainToken('application/json', json);
        assertJsonResponse(res, 400, DRF_BODIES.expectedDictionary(pythonType));
      });
    }

    test('JSON null → 400 {"non_field_errors":["No data provided"]}', async () => {
      const res = await session.obtainToken('application/json', 'null');
      assertJsonResponse(res, 400, DRF_BODIES.noDataProvided);
    });

    test('{"username":123,…} of no user → 400 "Unable to log in…" (123 is coerced to "123")', async () => {
      const res = await session.obtainTokenWithJson({ username: 123, password: 'whatever' });
      assertUnableToLogIn(res);
    });

    test('{"username":<number>,…} logs in the user named by its digits → 200', async () => {
      const digits = 100_000_000 + Math.floor(Math.random() * 899_999_999);
      const user = await session.newUser({ username: String(digits) });
      const res = await session.obtainTokenWithJson({ username: digits, password: user.password });
      await assertKeyWorks(assertObtainedToken(res));
    });

    test('{"username":true,"password":["a"]} → 400 both fields "Not a valid string."', async () => {
      const res = await session.obtainTokenWithJson({ username: true, password: ['a'] });
      assertJsonResponse(res, 400, DRF_BODIES.bothNotString);
    });

    test('{"username":"  ","password":"  "} → 400 username blank only (password is not trimmed)', async () => {
      const res = await session.obtainTokenWithJson({ username: '  ', password: '  ' });
      assertJsonResponse(res, 400, DRF_BODIES.usernameBlank);
    });

    test('username " <name> " is trimmed and logs in as <name> → 200', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson({
        username: ` ${user.username} `,
        password: user.password,
      });
      await assertKeyWorks(assertObtainedToken(res));
    });

    test('password "test pass " keeps its trailing space: it logs in, "test pass" does not', async () => {
      const user = await session.newUser({ password: 'test pass ' });
      assertObtainedToken(await session.obtainTokenWithJson(user));
      const trimmed = { username: user.username, password: 'test pass' };
      assertUnableToLogIn(await session.obtainTokenWithJson(trimmed));
    });

    test('extra fields are ignored → 200', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson({ ...user, token: 'x', is_staff: true });
      assertObtainedToken(res);
    });

    test('a form with "username" twice uses the last value → 200 for the real user', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithForm([
        ['username', session.uniqueUsername('nobody')],
        ['password', user.password],
        ['username', user.username],
      ]);
      assertObtainedToken(res);
    });

    test('a form with "username" twice, the last unknown → 400 "Unable to log in…"', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithForm([
        ['username', user.username],
        ['password', user.password],
        ['username', session.uniqueUsername('nobody')],
      ]);
      assertUnableToLogIn(res);
    });

    test('UTF-8 credentials "walterwhité" / "pässwörd" as JSON → 200', async () => {
      const user = await session.newUser({ prefix: 'walterwhité', password: 'pässwörd' });
      assertObtainedToken(await session.obtainTokenWithJson(user));
    });

    test('UTF-8 credentials "walterwhité" / "pässwörd" as a form → 200', async () => {
      const user = await session.newUser({ prefix: 'walterwhité', password: 'pässwörd' });
      const res = await session.obtainTokenWithForm([
        ['username', user.username],
        ['password', user.password],
      ]);
      assertObtainedToken(res);
    });

    test('an "Authorization: Token nope" header is ignored (no authentication) → 200', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson(user, {
        headers: { Authorization: 'Token nope' },
      });
      assertObtainedToken(res);
    });
  });

  describe('ObtainAuthToken: parsing the body (sections 2 and 4)', () => {
    test('malformed JSON → 400 {"detail":"JSON parse error - …"}', async () => {
      assertJsonParseError(await session.obtainToken('application/json', '{"username":'));
    });

    test('text/plain → 415 "Unsupported media type \\"text/plain\\" in request."', async () => {
      const res = await session.obtainToken('text/plain', 'username=a&password=b');
      assertJsonResponse(res, 415, DRF_BODIES.textPlainUnsupported);
    });

    test('an empty body without Content-Type → 400 both fields required', async () => {
      assertJsonResponse(
        await session.obtainToken(undefined, undefined),
        400,
        DRF_BODIES.bothRequired,
      );
    });

    test('"Content-Type:" empty with body "x=1" → 415 "Unsupported media type \\"\\" in request."', async () => {
      const res = await session.obtainToken('', 'x=1');
      assertJsonResponse(res, 415, DRF_BODIES.emptyMediaTypeUnsupported);
    });

    // gunicorn writes CONTENT_TYPE once per line, so the last line is the one DRF parses.
    test('two Content-Type lines, text/plain then JSON → 200 (the last line wins)', async () => {
      const user = await session.newUser();
      const res = await session.obtainToken(undefined, JSON.stringify(user), {
        headers: { 'Content-Type': ['text/plain', 'application/json'] },
      });
      assertObtainedToken(res);
    });

    test('two Content-Type lines, JSON then text/plain → 415 (the last line wins)', async () => {
      const user = await session.newUser();
      const res = await session.obtainToken(undefined, JSON.stringify(user), {
        headers: { 'Content-Type': ['application/json', 'text/plain'] },
      });
      assertJsonResponse(res, 415, DRF_BODIES.textPlainUnsupported);
    });

    test('multipart/form-data without a boundary → 400 "Multipart form parse error - …"', async () => {
      const res = await session.obtainToken('multipart/form-data', 'username=a&password=b');
      assertJsonResponse(res, 400, DRF_BODIES.multipartWithoutBoundary);
    });
  });

  describe('ObtainAuthToken: other methods (section 2)', () => {
    test('GET → 405 "Method \\"GET\\" not allowed." with Allow: POST, OPTIONS', async () => {
      const res = await session.obtainToken(undefined, undefined, { method: 'GET' });
      assertJsonResponse(res, 405, DRF_BODIES.getNotAllowed);
    });

    test('PUT with valid credentials → 405 "Method \\"PUT\\" not allowed."', async () => {
      const user = await session.newUser();
      const res = await session.obtainTokenWithJson(user, { method: 'PUT' });
      assertJsonResponse(res, 405, DRF_BODIES.putNotAllowed);
    });

    test('OPTIONS → 200 with the view metadata and its POST actions', async () => {
      const res = await session.obtainToken(undefined, undefined, { method: 'OPTIONS' });
      assertJsonResponse(res, 200, OBTAIN_TOKEN_METADATA);
    });
  });
}
