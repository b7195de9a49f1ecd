import { describe, test } from 'node:test';
import { generateKey } from '../../src/core/tokens/key-format.js';
import { BUILD_TRIGGER_METADATA, DRF_BODIES } from './drf-bodies.js';
import { assertEmptyResponse, assertJsonResponse } from './parity-assertions.js';
import type { ParitySession } from './parity-session.js';

/** The key with the case of every letter swapped: DRF's `Token ABCD1234` for `abcd1234`. */
function swapCase(key: string): string {
  return key.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
}

// DRF's keyword match is case-insensitive and `bytes.split()` drops runs of ASCII whitespace.
const ACCEPTED_HEADER_FORMS: ReadonlyArray<
  readonly [name: string, header: (key: string) => string]
> = [
  ['"Token <key>"', (key) => `Token ${key}`],
  ['"token <key>" (lowercase keyword)', (key) => `token ${key}`],
  ['"TOKEN   <key>" (uppercase keyword, three spaces)', (key) => `TOKEN   ${key}`],
  ['"Token\\t<key>" (tab separator)', (key) => `Token\t${key}`],
  ['"  Token <key>  " (surrounding spaces)', (key) => `  Token ${key}  `],
];

// Not the `Token` scheme, so TokenAuthentication returns None and IsAuthenticated refuses.
const OTHER_SCHEMES: ReadonlyArray<readonly [name: string, header: (key: string) => string]> = [
  ['"Bearer <key>"', (key) => `Bearer ${key}`],
  ['"Token<key>" (no space: DRF\'s "Tokenabcd1234")', (key) => `Token${key}`],
  ['"Basic <base64>"', () => `Basic ${Buffer.from('user:pass').toString('base64')}`],
];

/** Section 1's observed table, on `POST /api/build-trigger/` (TokenAuthentication + IsAuthenticated). */
export function tokenAuthenticationCases(session: ParitySession): void {
  describe('TokenAuthentication: the Authorization header (section 1 table)', () => {
    test('no Authorization header → 401 "Authentication credentials were not provided."', async () => {
      assertJsonResponse(await session.buildTrigger(undefined), 401, DRF_BODIES.notAuthenticated);
    });

    for (const [name, header] of ACCEPTED_HEADER_FORMS) {
      test(`header ${name} → 200 with an empty body`, async () => {
        const key = await session.newKey();
        assertEmptyResponse(await session.buildTrigger(header(key)), 200);
      });
    }

    test('header "Token" → 401 "No credentials provided."', async () => {
      assertJsonResponse(await session.buildTrigger('Token'), 401, DRF_BODIES.noCredentials);
    });

    test('header "Token " (trailing space) → 401 "No credentials provided."', async () => {
      assertJsonResponse(await session.buildTrigger('Token '), 401, DRF_BODIES.noCredentials);
    });

    test('header "Token a b" → 401 "Token string should not contain spaces."', async () => {
      assertJsonResponse(await session.buildTrigger('Token a b'), 401, DRF_BODIES.tokenHasSpaces);
    });

    test('header "Token <key> <key>" (a valid key, then more) → 401 "…should not contain spaces."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key} ${key}`);
      assertJsonResponse(res, 401, DRF_BODIES.tokenHasSpaces);
    });

    test('header "Token wrong" → 401 "Invalid token."', async () => {
      assertJsonResponse(await session.buildTrigger('Token wrong'), 401, DRF_BODIES.invalidToken);
    });

    test('header "Token ABCD1234" (a key tessera never issues) → 401 "Invalid token."', async () => {
      const res = await session.buildTrigger('Token ABCD1234');
      assertJsonResponse(res, 401, DRF_BODIES.invalidToken);
    });

    test('header "Token <key with its case swapped>" (DRF\'s wrong case) → 401 "Invalid token."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${swapCase(key)}`);
      assertJsonResponse(res, 401, DRF_BODIES.invalidToken);
    });

    test('header "Token <well-formed key never issued>" (DRF\'s nonexistent token) → 401 "Invalid token."', async () => {
      const res = await session.buildTrigger(`Token ${generateKey()}`);
      assertJsonResponse(res, 401, DRF_BODIES.invalidToken);
    });

    test('header "Token <key>\\xb8" (latin-1 ¸, DRF\'s "abcd1234¸") → 401 "…invalid characters."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}\xb8`);
      assertJsonResponse(res, 401, DRF_BODIES.tokenHasInvalidCharacters);
    });

    test('header "Token <key>\\xa0" (0xA0 is not whitespace to bytes.split) → 401 "…invalid characters."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}\xa0`);
      assertJsonResponse(res, 401, DRF_BODIES.tokenHasInvalidCharacters);
    });

    test('token of a user created inactive → 401 "User inactive or deleted."', async () => {
      const key = await session.newKey({ isActive: false });
      assertJsonResponse(await session.buildTrigger(`Token ${key}`), 401, DRF_BODIES.userInactive);
    });

    test('token of a user deactivated after it was issued → 401 "User inactive or deleted."', async () => {
      const user = await session.newUser();
      const key = await session.app.issueDefaultToken(user.username);
      assertEmptyResponse(await session.buildTrigger(`Token ${key}`), 200);
      await session.app.deactivateUser(user.username);
      assertJsonResponse(await session.buildTrigger(`Token ${key}`), 401, DRF_BODIES.userInactive);
    });

    for (const [name, header] of OTHER_SCHEMES) {
      test(`header ${name} → 401 "Authentication credentials were not provided."`, async () => {
        const key = await session.newKey();
        const res = await session.buildTrigger(header(key));
        assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
      });
    }

    test('token whose user was deleted (the token goes with the user) → 401 "Invalid token."', async () => {
      const user = await session.newUser();
      const key = await session.app.issueDefaultToken(user.username);
      assertEmptyResponse(await session.buildTrigger(`Token ${key}`), 200);
      await session.app.deleteUser(user.username);
      assertJsonResponse(await session.buildTrigger(`Token ${key}`), 401, DRF_BODIES.invalidToken);
    });

    test('a replaced default token → 401 "Invalid token."; the new one → 200', async () => {
      const user = await session.newUser();
      const oldKey = await session.app.issueDefaultToken(user.username);
      const newKey = await session.app.issueDefaultToken(user.username);
      assertJsonResponse(
        await session.buildTrigger(`Token ${oldKey}`),
        401,
        DRF_BODIES.invalidToken,
      );
      assertEmptyResponse(await session.buildTrigger(`Token ${newKey}`), 200);
    });
  });

  // DRF behind gunicorn reads a repeated header as its lines joined with ',' (gunicorn's
  // http/wsgi.py builds the WSGI environ that way); Node alone would keep only the first line.
  describe('TokenAuthentication: a repeated Authorization header (gunicorn joins the lines with ",")', () => {
    test('two lines, each a valid key → 401 "…should not contain spaces."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger([`Token ${key}`, `Token ${key}`]);
      assertJsonResponse(res, 401, DRF_BODIES.tokenHasSpaces);
    });

    test('two lines, two users\' valid keys → 401 "…should not contain spaces."', async () => {
      const first = await session.newKey();
      const second = await session.newKey();
      const res = await session.buildTrigger([`Token ${first}`, `Token ${second}`]);
      assertJsonResponse(res, 401, DRF_BODIES.tokenHasSpaces);
    });

    test('a valid key, then "garbage" ("Token <key>,garbage") → 401 "Invalid token."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger([`Token ${key}`, 'garbage']);
      assertJsonResponse(res, 401, DRF_BODIES.invalidToken);
    });

    test('"garbage", then a valid key ("garbage,Token <key>") → 401 "…not provided."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(['garbage', `Token ${key}`]);
      assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
    });

    test('a valid key, then an empty line ("Token <key>,") → 401 "Invalid token."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger([`Token ${key}`, '']);
      assertJsonResponse(res, 401, DRF_BODIES.invalidToken);
    });

    test('an empty line, then a valid key (",Token <key>") → 401 "…not provided."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(['', `Token ${key}`]);
      assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
    });

    test('"Token", then the key ("Token,<key>": not the Token scheme) → 401 "…not provided."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(['Token', key]);
      assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
    });

    test('one line of a valid key, as before → 200 (a single header is read as it is)', async () => {
      const key = await session.newKey();
      assertEmptyResponse(await session.buildTrigger([`Token ${key}`]), 200);
    });
  });

  describe('TokenAuthentication: the request body is never read (section 7, BaseTokenAuthTests)', () => {
    test('valid token with a form body (test_post_form_passing_token_auth) → 200', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}`, {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'a=1&b=2',
      });
      assertEmptyResponse(res, 200);
    });

    test('valid token with a JSON body (test_post_json_passing_token_auth) → 200', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}`, {
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
      });
      assertEmptyResponse(res, 200);
    });

    test('valid token with a malformed JSON body → 200 (the handler never parses it)', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}`, {
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":',
      });
      assertEmptyResponse(res, 200);
    });

    test('valid token with a text/plain body → 200 (no 415: the handler never parses it)', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}`, {
        headers: { 'Content-Type': 'text/plain' },
        body: 'hello',
      });
      assertEmptyResponse(res, 200);
    });

    test('no header with a form body (test_post_form_failing_token_auth) → 401', async () => {
      const res = await session.buildTrigger(undefined, {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'a=1',
      });
      assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
    });

    test('no header with a JSON body (test_post_json_failing_token_auth) → 401', async () => {
      const res = await session.buildTrigger(undefined, {
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
      });
      assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
    });

    test('no header with a malformed JSON body → 401 (authentication answers first)', async () => {
      const res = await session.buildTrigger(undefined, {
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":',
      });
      assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
    });
  });

  describe('build-trigger: other methods are authenticated before the 405 (section 4)', () => {
    test('GET without a token → 401 "Authentication credentials were not provided."', async () => {
      const res = await session.buildTrigger(undefined, { method: 'GET' });
      assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
    });

    test('GET with an invalid token → 401 "Invalid token."', async () => {
      const res = await session.buildTrigger(`Token ${generateKey()}`, { method: 'GET' });
      assertJsonResponse(res, 401, DRF_BODIES.invalidToken);
    });

    test('GET with a valid token → 405 "Method \\"GET\\" not allowed."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}`, { method: 'GET' });
      assertJsonResponse(res, 405, DRF_BODIES.getNotAllowed);
    });

    test('PUT with a valid token → 405 "Method \\"PUT\\" not allowed."', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}`, { method: 'PUT', body: '{}' });
      assertJsonResponse(res, 405, DRF_BODIES.putNotAllowed);
    });

    test('OPTIONS without credentials → 401 (OPTIONS is authenticated too)', async () => {
      const res = await session.buildTrigger(undefined, { method: 'OPTIONS' });
      assertJsonResponse(res, 401, DRF_BODIES.notAuthenticated);
    });

    test('OPTIONS with an invalid token → 401 "Invalid token."', async () => {
      const res = await session.buildTrigger('Token wrong', { method: 'OPTIONS' });
      assertJsonResponse(res, 401, DRF_BODIES.invalidToken);
    });

    test('OPTIONS with a valid token → 200 with the view metadata', async () => {
      const key = await session.newKey();
      const res = await session.buildTrigger(`Token ${key}`, { method: 'OPTIONS' });
      assertJsonResponse(res, 200, BUILD_TRIGGER_METADATA);
    });
  });
}
