import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFormBody } from '../../../src/core/drf-compat/form-body.js';
import type { PythonCodec } from '../../../src/core/drf-compat/python-codec.js';
import { ParseError } from '../../../src/core/errors.js';

/** A body written one character per byte. */
function bytes(binary: string): Uint8Array {
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

type Outcome = { entries: [string, string][] } | { error: string };

// Observed against DRF 3.14.0 (Django 3.2.25, CPython 3.11.2): FormParser with the request's
// charset, `request.data[name]` for each name (the last value of a repeated one).
const CASES: [string, PythonCodec, string, Outcome][] = [
  [
    'two fields',
    'utf-8',
    'username=ada&password=pw',
    {
      entries: [
        ['username', 'ada'],
        ['password', 'pw'],
      ],
    },
  ],
  [
    'plus is a space',
    'utf-8',
    'a=x+y&b+c=1',
    {
      entries: [
        ['a', 'x y'],
        ['b c', '1'],
      ],
    },
  ],
  ['a repeated name keeps the last value', 'utf-8', 'a=1&a=2&a=3', { entries: [['a', '3']] }],
  [
    'a name without = has the value ""',
    'utf-8',
    'a=1&b',
    {
      entries: [
        ['a', '1'],
        ['b', ''],
      ],
    },
  ],
  [
    'blank values are kept',
    'utf-8',
    'a=&b=',
    {
      entries: [
        ['a', ''],
        ['b', ''],
      ],
    },
  ],
  ['empty fields are skipped', 'utf-8', '&&a=1&&', { entries: [['a', '1']] }],
  ['only the first = splits', 'utf-8', 'a=b=c', { entries: [['a', 'b=c']] }],
  ['an empty name', 'utf-8', '=x', { entries: [['', 'x']] }],
  ['; is not a separator', 'utf-8', 'a=1;b=2', { entries: [['a', '1;b=2']] }],
  [
    'percent-encoded UTF-8',
    'utf-8',
    'name=%C3%A9%E2%82%AC%F0%9F%98%80',
    { entries: [['name', '\xe9\u20ac\u{1f600}']] },
  ],
  ['lower-case hex', 'utf-8', 'name=%c3%a9', { entries: [['name', '\xe9']] }],
  ['encoded separators', 'utf-8', 'a=%26%3D%2B', { entries: [['a', '&=+']] }],
  ['an invalid byte becomes U+FFFD', 'utf-8', 'a=%FF', { entries: [['a', '\ufffd']] }],
  ['a truncated sequence becomes one U+FFFD', 'utf-8', 'a=%E2%82', { entries: [['a', '\ufffd']] }],
  [
    'an encoded surrogate becomes three U+FFFD',
    'utf-8',
    'a=%ED%A0%80',
    { entries: [['a', '\ufffd\ufffd\ufffd']] },
  ],
  [
    'invalid escapes stay as written',
    'utf-8',
    'a=%zz&b=%&c=%4&d=%%41',
    {
      entries: [
        ['a', '%zz'],
        ['b', '%'],
        ['c', '%4'],
        ['d', '%A'],
      ],
    },
  ],
  ['raw UTF-8 bytes', 'utf-8', 'a=\xc3\xa9', { entries: [['a', '\xe9']] }],
  [
    'raw bytes that are not UTF-8: the whole body is read as latin-1',
    'utf-8',
    'a=\xe9&b=%C3%A9',
    {
      entries: [
        ['a', '\xe9'],
        ['b', '\xe9'],
      ],
    },
  ],
  [
    'escapes do not combine across raw characters',
    'utf-8',
    'a=%C3\xc3\xa9%A9',
    { entries: [['a', '\ufffd\xe9\ufffd']] },
  ],
  [
    'latin-1 charset decodes escapes as latin-1',
    'latin-1',
    'a=%E9&b=\xe9',
    {
      entries: [
        ['a', '\xe9'],
        ['b', '\xe9'],
      ],
    },
  ],
  [
    'ascii charset replaces high escapes',
    'ascii',
    'a=%C3%A9&b=\xe9',
    {
      entries: [
        ['a', '\ufffd\ufffd'],
        ['b', '\xe9'],
      ],
    },
  ],
  [
    'utf-8-sig strips a BOM from each decoded run',
    'utf-8-sig',
    'a=%EF%BB%BFx&b=%EF%BB%BF',
    {
      entries: [
        ['a', 'x'],
        ['b', ''],
      ],
    },
  ],
  [
    '__proto__ and constructor are plain fields',
    'utf-8',
    '__proto__=1&constructor=2&toString=3',
    {
      entries: [
        ['__proto__', '1'],
        ['constructor', '2'],
        ['toString', '3'],
      ],
    },
  ],
  ['1000 fields', 'utf-8', '&'.repeat(999), { entries: [] }],
  // Django raises TooManyFieldsSent (its 400 page); tessera answers a 400 ParseError.
  [
    '1001 fields',
    'utf-8',
    '&'.repeat(1000),
    { error: 'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.' },
  ],
];

describe('parseFormBody', () => {
  for (const [name, codec, body, outcome] of CASES) {
    test(name, () => {
      if ('entries' in outcome) {
        const fields = parseFormBody(bytes(body), codec);
        assert.equal(Object.getPrototypeOf(fields), null);
        assert.deepEqual(Object.entries(fields), outcome.entries);
        return;
      }
      assert.throws(
        () => parseFormBody(bytes(body), codec),
        (error: unknown) => {
          assert.ok(error instanceof ParseError);
          assert.equal(error.status, 400);
          assert.equal(error.detail, outcome.error);
          return true;
        },
      );
    });
  }

  test('a __proto__ field pollutes no prototype', () => {
    const fields = parseFormBody(bytes('__proto__[polluted]=1&__proto__=x'), 'utf-8');
    assert.equal(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value, 'x');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
