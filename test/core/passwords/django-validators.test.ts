import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pythonStrip } from '../../../src/core/drf-compat/python-strings.js';
import { type PasswordOwner, validatePassword } from '../../../src/core/passwords/index.js';
import { quickRatio } from '../../../src/core/passwords/user-attribute-similarity.js';

/**
 * Answers computed by Django 3.2.25 on Python 3.11 (`django-validation-vectors.py` next to this
 * file made them): difflib's quick_ratio on random strings, and `validate_password` with the four
 * default validators for users and passwords at the edges (common, similar, numeric, Unicode).
 */
const vectors = JSON.parse(
  readFileSync(join(import.meta.dirname, 'django-validation-vectors.json'), 'utf8'),
) as {
  django: string;
  quickRatios: { a: string; b: string; quickRatio: number }[];
  validations: { user: PasswordOwner | null; password: string; messages: string[] }[];
};

describe("Django's password validators, against Django's own answers", () => {
  it(`quick_ratio equals difflib's on ${vectors.quickRatios.length} pairs`, () => {
    for (const { a, b, quickRatio: expected } of vectors.quickRatios) {
      assert.equal(quickRatio(a, b), expected, JSON.stringify({ a, b }));
    }
  });

  it(`validate_password gives Django ${vectors.django}'s messages on ${vectors.validations.length} cases`, () => {
    for (const { user, password, messages } of vectors.validations) {
      assert.deepEqual(
        validatePassword(password, user ?? undefined),
        messages,
        JSON.stringify({ user, password }),
      );
    }
  });

  it("ships Django's whole common-password list", () => {
    // The first and last entries of Django's file, and two in between; case and edge spaces go.
    for (const common of ['bigpimpin1', 'chobits', 'sandy123', 'PassWord', ' qwerty\t']) {
      assert.ok(validatePassword(common).includes('This password is too common.'), common);
    }
  });
});

it("strips as Python's str.strip does, not as String#trim", () => {
  // '\x1cqwerty\x85'.strip() == 'qwerty' and '\ufeffqwerty'.strip() == '\ufeffqwerty' in Python.
  assert.equal(pythonStrip('\x1c qwerty\x85'), 'qwerty');
  assert.equal(pythonStrip('\ufeffqwerty'), '\ufeffqwerty');
});
