import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isPasswordUsable,
  makeUnusablePassword,
} from '../../../src/core/passwords/unusable-password.js';

test("an unusable password is '!' and 40 characters of a-zA-Z0-9", () => {
  const values = Array.from({ length: 50 }, makeUnusablePassword);
  for (const value of values) assert.match(value, /^![a-zA-Z0-9]{40}$/);
  assert.equal(new Set(values).size, values.length);
});

test('isPasswordUsable is false only for the ! prefix', () => {
  assert.equal(isPasswordUsable(makeUnusablePassword()), false);
  assert.equal(isPasswordUsable('!'), false);
  assert.equal(isPasswordUsable('pbkdf2_sha256$1000$salt$hash'), true);
  assert.equal(isPasswordUsable(''), true);
});
