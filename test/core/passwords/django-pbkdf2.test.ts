import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodePbkdf2,
  encodePbkdf2,
  generateSalt,
  PBKDF2_SHA1,
  PBKDF2_SHA256,
  SALT_LENGTH,
  saltNeedsUpdate,
  verifyPbkdf2,
} from '../../../src/core/passwords/django-pbkdf2.js';

describe('encodePbkdf2 (Django 3.2 encode vectors)', () => {
  test("('password', 'seasalt', 260000)", async () => {
    assert.equal(
      await encodePbkdf2('password', 'seasalt', 260000),
      'pbkdf2_sha256$260000$seasalt$ftMWvEdczZQK5azuap2CQYKRjHLa1wOuMrfMiYEswYQ=',
    );
  });

  test("('pässwörd', 'abcdefghijklmnopqrstuv', 260000)", async () => {
    assert.equal(
      await encodePbkdf2('p\u00e4ssw\u00f6rd', 'abcdefghijklmnopqrstuv', 260000),
      'pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$fwAC+Ra6ZUtQNwHwZBQp/cd+/BlFHLF5tOfA3awSE28=',
    );
  });

  test("('password', 'seasalt', 1000000)", async () => {
    assert.equal(
      await encodePbkdf2('password', 'seasalt', 1000000),
      'pbkdf2_sha256$1000000$seasalt$YAIKAoSUTEdxN9PnpbX3zRB+moycA+WW4OS32mkutqM=',
    );
  });

  test('sha256 gives a 44-character padded base64 hash, sha1 a 28-character one', async () => {
    const sha256 = await encodePbkdf2('pw', 'salt', 1000, PBKDF2_SHA256);
    const sha1 = await encodePbkdf2('pw', 'salt', 1000, PBKDF2_SHA1);
    assert.match(sha256, /^pbkdf2_sha256\$1000\$salt\$[A-Za-z0-9+/]{43}=$/);
    assert.match(sha1, /^pbkdf2_sha1\$1000\$salt\$[A-Za-z0-9+/]{27}=$/);
  });

  test('refuses an empty salt, a salt with "$" and impossible iteration counts', async () => {
    await assert.rejects(encodePbkdf2('pw', '', 1000), RangeError);
    await assert.rejects(encodePbkdf2('pw', 'a$b', 1000), RangeError);
    await assert.rejects(encodePbkdf2('pw', 'salt', 0), RangeError);
    await assert.rejects(encodePbkdf2('pw', 'salt', 1.5), RangeError);
    await assert.rejects(encodePbkdf2('pw', 'salt', 2 ** 31), RangeError);
  });
});

describe('generateSalt', () => {
  test('draws 22 characters from a-zA-Z0-9', () => {
    assert.equal(SALT_LENGTH, 22);
    const salts = Array.from({ length: 200 }, generateSalt);
    for (const salt of salts) assert.match(salt, /^[a-zA-Z0-9]{22}$/);
    assert.equal(new Set(salts).size, salts.length);
  });

  test('uses the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 300 }, generateSalt).join(''));
    assert.equal(seen.size, 62);
  });
});

describe('saltNeedsUpdate', () => {
  test('22 characters carry 128 bits, 21 do not', () => {
    assert.equal(saltNeedsUpdate('a'.repeat(22)), false);
    assert.equal(saltNeedsUpdate('a'.repeat(21)), true);
    assert.equal(saltNeedsUpdate('seasalt'), true);
  });

  test('counts code points, as Python does', () => {
    assert.equal(saltNeedsUpdate('\u{1F600}'.repeat(21)), true);
  });
});

describe('decodePbkdf2 and verifyPbkdf2', () => {
  test('split like Python split("$", 3)', () => {
    assert.deepEqual(decodePbkdf2('pbkdf2_sha1$1000$salt$ab$c'), {
      algorithm: PBKDF2_SHA1,
      iterations: 1000,
      salt: 'salt',
      hash: 'ab$c',
    });
  });

  test('reject values they cannot check', () => {
    for (const encoded of [
      'pbkdf2_sha256$1000$salt',
      'pbkdf2_sha256$1000$$hash',
      'pbkdf2_sha256$-1$salt$hash',
      'pbkdf2_sha256$0$salt$hash',
      'pbkdf2_sha256$1e3$salt$hash',
      'pbkdf2_sha256$99999999999$salt$hash',
      'pbkdf2_md5$1000$salt$hash',
      'argon2$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA',
    ]) {
      assert.equal(decodePbkdf2(encoded), null, encoded);
    }
  });

  test('a matching password verifies and a wrong one does not', async () => {
    const encoded = await encodePbkdf2('right', 'salt', 1000);
    assert.equal(await verifyPbkdf2('right', encoded), true);
    assert.equal(await verifyPbkdf2('wrong', encoded), false);
  });

  test('an empty salt never verifies, even for the hash it would give', async () => {
    const hash = (await encodePbkdf2('pw', 'x', 1000)).split('$')[3];
    assert.equal(await verifyPbkdf2('pw', `pbkdf2_sha256$1000$$${hash}`), false);
  });

  test('like Django, a non-canonical form of a valid hash does not verify', async () => {
    const encoded = await encodePbkdf2('pw', 'salt', 1000);
    assert.equal(await verifyPbkdf2('pw', encoded.replace('$1000$', '$01000$')), false);
    assert.equal(await verifyPbkdf2('pw', encoded.replace(/=$/, '')), false);
  });

  test('a pbkdf2_sha1 hash verifies with sha1', async () => {
    const encoded = await encodePbkdf2('pw', 'salt', 1000, PBKDF2_SHA1);
    assert.equal(await verifyPbkdf2('pw', encoded), true);
    assert.equal(await verifyPbkdf2('pw', encoded.replace('pbkdf2_sha1', 'pbkdf2_sha256')), false);
  });
});
