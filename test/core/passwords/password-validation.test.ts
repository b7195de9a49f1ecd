import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validatePassword } from '../../../src/core/passwords/password-validation.js';

const TOO_SHORT = 'This password is too short. It must contain at least 8 characters.';
const COMMON = 'This password is too common.';
const NUMERIC = 'This password is entirely numeric.';

test('a long, uncommon, not numeric password unlike the user passes', () => {
  assert.deepEqual(validatePassword('vq7-Lamp-orbit', { username: 'admin' }), []);
  assert.deepEqual(validatePassword('8264913a'), []);
});

test('fewer than 8 characters is too short', () => {
  assert.deepEqual(validatePassword('vq7-Lam', { username: 'admin' }), [TOO_SHORT]);
  assert.deepEqual(validatePassword(''), [TOO_SHORT]);
});

test('all digits is entirely numeric; common lists come before it', () => {
  assert.deepEqual(validatePassword('82649137'), [NUMERIC]);
  assert.deepEqual(validatePassword('12345678'), [COMMON, NUMERIC]);
});

test('the issue\'s "123": too short, too common and entirely numeric', () => {
  assert.deepEqual(validatePassword('123', { username: 'alice' }), [TOO_SHORT, COMMON, NUMERIC]);
});

test('similarity names the first similar field by its verbose name', () => {
  const owner = { username: 'alice', email: 'alice.smith@example.com', lastName: 'Smith' };
  assert.deepEqual(validatePassword('alice2026', owner), [
    'The password is too similar to the username.',
  ]);
  assert.deepEqual(validatePassword('examplecom', owner), [
    'The password is too similar to the email address.',
  ]);
  // Without an owner (Django: without a user) similarity is not checked.
  assert.deepEqual(validatePassword('alice2026'), []);
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
  assert.deepEqual(validatePassword('8264913 '), []);
});
