import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePassword } from '../../../src/core/passwords/password-validation.js';

const TOO_SHORT = 'This password is too short. It must contain at least 8 characters.';
const NUMERIC = 'This password is entirely numeric.';

test('a long, not numeric password passes', () => {
  assert.deepEqual(validatePassword('abcdefgh', { username: 'admin' }), []);
  assert.deepEqual(validatePassword('1234567a'), []);
});

test('fewer than 8 characters is too short', () => {
  assert.deepEqual(validatePassword('abcdefg', { username: 'admin' }), [TOO_SHORT]);
  assert.deepEqual(validatePassword(''), [TOO_SHORT]);
});

test('all digits is entirely numeric', () => {
  assert.deepEqual(validatePassword('12345678'), [NUMERIC]);
});

test('too short comes before entirely numeric', () => {
  assert.deepEqual(validatePassword('1234'), [TOO_SHORT, NUMERIC]);
});

test('length counts code points, as Python len does', () => {
  assert.deepEqual(validatePassword('\u{1F600}'.repeat(4)), [TOO_SHORT]);
  assert.deepEqual(validatePassword('\u{1F600}'.repeat(8)), []);
});

test('numeric follows Python str.isdigit beyond ASCII', () => {
  // Arabic-Indic and fullwidth digits are decimal; superscripts and circled digits are digits.
  assert.deepEqual(validatePassword('\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668'), [NUMERIC]);
  assert.deepEqual(validatePassword('\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16\uFF17\uFF18'), [NUMERIC]);
  assert.deepEqual(validatePassword('\u00B2\u00B3\u00B9\u2460\u2461\u2462\u2463\u2464'), [NUMERIC]);
  // Python's isdigit is false for fractions and Roman numerals (numeric, not digits).
  assert.deepEqual(validatePassword('\u00BD\u00BD\u00BD\u00BD\u2160\u2161\u2162\u2163'), []);
  assert.deepEqual(validatePassword('1234567 '), []);
});
