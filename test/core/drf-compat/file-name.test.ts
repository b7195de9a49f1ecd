import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sanitizeFileName } from '../../../src/core/drf-compat/file-name.js';

// Observed with Django 3.2.25's MultiPartParser.sanitize_file_name (undefined: None, the part
// is then ignored).
const CASES: [string, string | undefined][] = [
  ['a.txt', 'a.txt'],
  ['dir/a.txt', 'a.txt'],
  ['C:\\dir\\a.txt', 'a.txt'],
  ['/a/b\\c', 'c'],
  ['', undefined],
  ['.', undefined],
  ['..', undefined],
  ['x/..', undefined],
  ['&#46;', undefined],
  ['&period;', undefined],
  ['&#46;&#46;', undefined],
  ['a&amp;b', 'a&b'],
  ['a&ampb', 'a&b'],
  ['a&lt', 'a<'],
  ['&#x2F;etc', 'etc'],
  ['a&sol;b', 'b'],
  ['a&bsol;b', 'b'],
  ['&#0;', '\ufffd'],
  ['&#128;x', '\u20acx'],
  ['&#1;x', 'x'],
  ['&#xD800;', '\ufffd'],
  ['&#1114112;', '\ufffd'],
  [' ', ' '],
  ['a&unknown;b', 'a&unknown;b'],
  ['&#65', 'A'],
];

describe('sanitizeFileName', () => {
  for (const [name, sanitized] of CASES) {
    test(JSON.stringify(name), () => {
      assert.equal(sanitizeFileName(name), sanitized);
    });
  }
});
