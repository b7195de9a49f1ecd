import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAuthorizationHeader } from '../../../src/core/auth/authorization-header.js';
import { AuthenticationFailed } from '../../../src/core/errors.js';

const TOKEN = ['token'];

function failure(header: string, keywords = TOKEN): string {
  try {
    parseAuthorizationHeader(header, keywords);
  } catch (error) {
    assert.ok(error instanceof AuthenticationFailed);
    return error.message;
  }
  assert.fail(`expected ${JSON.stringify(header)} to fail`);
}

describe('parseAuthorizationHeader (DRF TokenAuthentication.authenticate)', () => {
  test('returns the key for the keyword in any case, with any ASCII whitespace around it', () => {
    for (const header of [
      'Token abcd1234',
      'token abcd1234',
      'TOKEN   abcd1234',
      'Token\tabcd1234',
      '  Token abcd1234  ',
      'Token\x0babcd1234\x0c',
      '\r\nToken abcd1234\n',
    ]) {
      assert.equal(parseAuthorizationHeader(header, TOKEN), 'abcd1234', JSON.stringify(header));
    }
  });

  test('returns null when absent, empty, whitespace or another scheme', () => {
    for (const header of [undefined, '', '   ', 'Bearer abcd1234', 'Tokenabcd1234', 'Basic x']) {
      assert.equal(parseAuthorizationHeader(header, TOKEN), null, JSON.stringify(header));
    }
  });

  test('folds only ASCII letters when matching the keyword', () => {
    // U+0130 lower-cases to "i̇" in JavaScript; DRF's bytes.lower() leaves non-ASCII alone.
    assert.equal(parseAuthorizationHeader('Tok\u00c9n abc', ['tok\u00e9n']), null);
    assert.equal(parseAuthorizationHeader('BEARER abc', ['token', 'bearer']), 'abc');
  });

  test('a keyword without credentials fails with "No credentials provided."', () => {
    assert.equal(failure('Token'), 'Invalid token header. No credentials provided.');
    assert.equal(failure('Token   '), 'Invalid token header. No credentials provided.');
    assert.equal(failure(' token\t'), 'Invalid token header. No credentials provided.');
  });

  test('more than one credential fails with "should not contain spaces."', () => {
    const message = 'Invalid token header. Token string should not contain spaces.';
    assert.equal(failure('Token a b'), message);
    assert.equal(failure('Token a\tb '), message);
  });

  test('U+00A0 is not a separator: it stays in the key, where it is not UTF-8', () => {
    const message = 'Invalid token header. Token string should not contain invalid characters.';
    assert.equal(failure('Token abcd1234\u00a0'), message);
    assert.equal(failure('Token abcd1234\u00b8'), message);
    // With no ASCII whitespace, "Token\xa0abcd1234" is one word: another scheme, so null.
    assert.equal(parseAuthorizationHeader('Token\u00a0abcd1234', TOKEN), null);
  });

  test('a key in UTF-8 bytes (as latin-1 characters) decodes to its text', () => {
    const utf8AsLatin1 = Buffer.from('clé', 'utf8').toString('latin1');
    assert.equal(parseAuthorizationHeader(`Token ${utf8AsLatin1}`, TOKEN), 'clé');
  });

  test('characters beyond latin-1 never come from HTTP and are refused as invalid', () => {
    assert.equal(
      failure('Token abc\u20ac'),
      'Invalid token header. Token string should not contain invalid characters.',
    );
  });
});
