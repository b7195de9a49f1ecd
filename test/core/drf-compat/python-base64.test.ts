import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBase64Lenient } from '../../../src/core/drf-compat/python-base64.js';

// Observed with CPython 3.11.2's base64.b64decode (undefined: binascii.Error).
const CASES: [string, string | undefined][] = [
  ['cHc=', 'pw'],
  ['YWJj', 'abc'],
  ['cHc', undefined],
  ['c', undefined],
  ['cHc*=', 'pw'],
  ['cH c=\n', 'pw'],
  ['YQ==YWJj', 'a'],
  ['YQ=', undefined],
  ['====', ''],
  ['', ''],
];

describe('decodeBase64Lenient', () => {
  for (const [input, output] of CASES) {
    test(JSON.stringify(input), () => {
      const decoded = decodeBase64Lenient(new TextEncoder().encode(input));
      assert.equal(decoded && new TextDecoder().decode(decoded), output);
    });
  }
});
