import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_JSON_DEPTH, parseJsonBody } from '../../../src/core/drf-compat/json-body.js';
import type { PythonCodec } from '../../../src/core/drf-compat/python-codec.js';
import { ParseError } from '../../../src/core/errors.js';

/** A body written one character per byte. */
function bytes(binary: string): Uint8Array {
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

type Outcome = { value: unknown } | { error: string };

// Observed against DRF 3.14.0 (Django 3.2.25, CPython 3.11.2): JSONParser with the request's
// charset (`application/json; charset=…`); an error row is DRF's 400 `detail`.
const CASES: [string, PythonCodec, string, Outcome][] = [
  [
    'object',
    'utf-8',
    '{"username":"ada","password":"pw"}',
    { value: { username: 'ada', password: 'pw' } },
  ],
  [
    'array (the caller reports non-objects)',
    'utf-8',
    '[1, 2.5, -3e2, true, false, null]',
    { value: [1, 2.5, -300, true, false, null] },
  ],
  ['string', 'utf-8', '"text"', { value: 'text' }],
  ['number', 'utf-8', '42', { value: 42 }],
  ['null', 'utf-8', 'null', { value: null }],
  ['surrounding whitespace', 'utf-8', ' \t\r\n{"a": "b"} \n', { value: { a: 'b' } }],
  ['duplicate keys: last wins', 'utf-8', '{"a":1,"a":2}', { value: { a: 2 } }],
  [
    'UTF-8 text',
    'utf-8',
    '{"name":"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"}',
    { value: { name: '\xe9\u20ac\u{1f600}' } },
  ],
  [
    'escapes and surrogate pairs',
    'utf-8',
    '"\\u00e9\\ud83d\\ude00\\n\\/"',
    { value: '\xe9\u{1f600}\n/' },
  ],
  ['lone surrogate escape', 'utf-8', '"\\ud800"', { value: '\ud800' }],
  [
    'UTF-8 BOM is refused',
    'utf-8',
    '\xef\xbb\xbf{}',
    {
      error:
        'JSON parse error - Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)',
    },
  ],
  ['utf-8-sig strips the BOM', 'utf-8-sig', '\xef\xbb\xbf{"a":1}', { value: { a: 1 } }],
  ['utf-8-sig without a BOM', 'utf-8-sig', '{"a":1}', { value: { a: 1 } }],
  [
    'utf-8-sig error positions count after the BOM',
    'utf-8-sig',
    '\xef\xbb\xbf{"a":"\xff"}',
    {
      error:
        "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 6: invalid start byte",
    },
  ],
  [
    'utf-8-sig: a lone BOM prefix reads as nothing',
    'utf-8-sig',
    '\xef\xbb',
    { error: 'JSON parse error - Expecting value: line 1 column 1 (char 0)' },
  ],
  ['latin-1 decodes every byte', 'latin-1', '{"a":"\xe9\x80"}', { value: { a: '\xe9\x80' } }],
  [
    'latin-1 reads UTF-8 as two characters',
    'latin-1',
    '{"a":"\xc3\xa9"}',
    { value: { a: '\xc3\xa9' } },
  ],
  [
    'ascii refuses a high byte',
    'ascii',
    '{"a":"\xe9"}',
    {
      error:
        "JSON parse error - 'ascii' codec can't decode byte 0xe9 in position 6: ordinal not in range(128)",
    },
  ],
  [
    'invalid UTF-8 byte',
    'utf-8',
    '{"a":"\xe9"}',
    {
      error:
        "JSON parse error - 'utf-8' codec can't decode byte 0xe9 in position 6: invalid continuation byte",
    },
  ],
  [
    'invalid start byte',
    'utf-8',
    '\xff',
    {
      error:
        "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
    },
  ],
  [
    'two-byte invalid sequence',
    'utf-8',
    '"\xe2\x82x"',
    {
      error:
        "JSON parse error - 'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte",
    },
  ],
  [
    'surrogate encoded in UTF-8',
    'utf-8',
    '"\xed\xa0\x80"',
    {
      error:
        "JSON parse error - 'utf-8' codec can't decode byte 0xed in position 1: invalid continuation byte",
    },
  ],
  ['truncated sequence at the end is dropped', 'utf-8', '{}\xe2\x82', { value: {} }],
  [
    'truncated sequence inside a string',
    'utf-8',
    '"abc\xc3',
    { error: 'JSON parse error - Unterminated string starting at: line 1 column 1 (char 0)' },
  ],
  ['truncated ED A0 at the end is dropped', 'utf-8', '{}\xed\xa0', { value: {} }],
  [
    'empty after stripping',
    'utf-8',
    ' ',
    { error: 'JSON parse error - Expecting value: line 1 column 2 (char 1)' },
  ],
  [
    'missing colon',
    'utf-8',
    '{"a" 1}',
    { error: "JSON parse error - Expecting ':' delimiter: line 1 column 6 (char 5)" },
  ],
  [
    'missing comma',
    'utf-8',
    '{"a":1 "b":2}',
    { error: "JSON parse error - Expecting ',' delimiter: line 1 column 8 (char 7)" },
  ],
  [
    'trailing comma in object',
    'utf-8',
    '{"a":1,}',
    {
      error:
        'JSON parse error - Expecting property name enclosed in double quotes: line 1 column 8 (char 7)',
    },
  ],
  [
    'trailing comma in array',
    'utf-8',
    '[1,]',
    { error: 'JSON parse error - Expecting value: line 1 column 4 (char 3)' },
  ],
  [
    'unquoted key',
    'utf-8',
    "{'a':1}",
    {
      error:
        'JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)',
    },
  ],
  [
    'unterminated object',
    'utf-8',
    '{"a":1',
    { error: "JSON parse error - Expecting ',' delimiter: line 1 column 7 (char 6)" },
  ],
  [
    'unterminated array',
    'utf-8',
    '[1',
    { error: "JSON parse error - Expecting ',' delimiter: line 1 column 3 (char 2)" },
  ],
  [
    'unterminated string',
    'utf-8',
    '{"password":"secret',
    { error: 'JSON parse error - Unterminated string starting at: line 1 column 13 (char 12)' },
  ],
  [
    'invalid escape',
    'utf-8',
    '"a\\x"',
    { error: 'JSON parse error - Invalid \\escape: line 1 column 3 (char 2)' },
  ],
  [
    'short unicode escape',
    'utf-8',
    '"\\u12"',
    { error: 'JSON parse error - Invalid \\uXXXX escape: line 1 column 3 (char 2)' },
  ],
  [
    'unicode escape right before the end',
    'utf-8',
    '"\\u0041',
    { error: 'JSON parse error - Invalid \\uXXXX escape: line 1 column 3 (char 2)' },
  ],
  [
    'invalid second half of a pair',
    'utf-8',
    '"\\ud800\\udc0xy"',
    { error: 'JSON parse error - Invalid \\uXXXX escape: line 1 column 9 (char 8)' },
  ],
  [
    'control character in a string',
    'utf-8',
    '"a\tb"',
    { error: 'JSON parse error - Invalid control character at: line 1 column 3 (char 2)' },
  ],
  [
    'extra data',
    'utf-8',
    '{} []',
    { error: 'JSON parse error - Extra data: line 1 column 4 (char 3)' },
  ],
  [
    'leading zero',
    'utf-8',
    '01',
    { error: 'JSON parse error - Extra data: line 1 column 2 (char 1)' },
  ],
  [
    'lone minus',
    'utf-8',
    '-',
    { error: 'JSON parse error - Expecting value: line 1 column 1 (char 0)' },
  ],
  [
    'dot without digits',
    'utf-8',
    '1.',
    { error: 'JSON parse error - Extra data: line 1 column 2 (char 1)' },
  ],
  [
    'NaN',
    'utf-8',
    '{"a":NaN}',
    { error: "JSON parse error - Out of range float values are not JSON compliant: 'NaN'" },
  ],
  [
    'Infinity',
    'utf-8',
    '[Infinity]',
    { error: "JSON parse error - Out of range float values are not JSON compliant: 'Infinity'" },
  ],
  [
    '-Infinity',
    'utf-8',
    '-Infinity',
    { error: "JSON parse error - Out of range float values are not JSON compliant: '-Infinity'" },
  ],
  [
    'misspelt literal',
    'utf-8',
    'tru',
    { error: 'JSON parse error - Expecting value: line 1 column 1 (char 0)' },
  ],
  [
    'line and column on a later line',
    'utf-8',
    '{\n  "a": 1,\n  "b": x\n}',
    { error: 'JSON parse error - Expecting value: line 3 column 8 (char 19)' },
  ],
  [
    'positions count code points',
    'utf-8',
    '["\xf0\x9f\x98\x80\xf0\x9f\x98\x80", x]',
    { error: 'JSON parse error - Expecting value: line 1 column 8 (char 7)' },
  ],
  ['integer of 4300 digits', 'utf-8', '1'.repeat(4300), { value: Number('1'.repeat(4300)) }],
  [
    'integer of 4301 digits',
    'utf-8',
    '1'.repeat(4301),
    {
      error:
        'JSON parse error - Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit',
    },
  ],
  [
    'negative integer of 4301 digits',
    'utf-8',
    `-${'1'.repeat(4301)}`,
    {
      error:
        'JSON parse error - Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use sys.set_int_max_str_digits() to increase the limit',
    },
  ],
  ['float of 5000 digits', 'utf-8', `0.${'1'.repeat(5000)}`, { value: 0.1111111111111111 }],
  ['4301 digits inside a string', 'utf-8', `"${'1'.repeat(4301)}"`, { value: '1'.repeat(4301) }],
];

describe('parseJsonBody', () => {
  for (const [name, codec, body, outcome] of CASES) {
    test(name, () => {
      if ('value' in outcome) {
        assert.deepEqual(parseJsonBody(bytes(body), codec), outcome.value);
        return;
      }
      assert.throws(
        () => parseJsonBody(bytes(body), codec),
        (error: unknown) => {
          assert.ok(error instanceof ParseError);
          assert.equal(error.status, 400);
          assert.equal(error.detail, outcome.error);
          return true;
        },
      );
    });
  }

  test('an error never quotes the body, which may hold a password', () => {
    const secret = 'hunter2-correct-horse';
    for (const body of [
      `{"password":"${secret}" x}`,
      `{"password":${secret}}`,
      `{"password":"${secret}\\q"}`,
      `["${secret}",]`,
      `${secret}`,
    ]) {
      assert.throws(
        () => parseJsonBody(bytes(body), 'utf-8'),
        (error: unknown) => {
          assert.ok(error instanceof ParseError);
          assert.ok(!String(error.detail).includes('hunter2'), String(error.detail));
          assert.ok(!error.message.includes('hunter2'));
          assert.ok(!String(error.detail).includes('\n'));
          return true;
        },
      );
    }
  });

  test('parses nesting up to MAX_JSON_DEPTH, and reports errors in it', () => {
    const depth = MAX_JSON_DEPTH;
    assert.ok(Array.isArray(parseJsonBody(bytes('['.repeat(depth) + ']'.repeat(depth)), 'utf-8')));
    assert.throws(() => parseJsonBody(bytes('['.repeat(depth) + ']'.repeat(depth - 1)), 'utf-8'), {
      detail: "JSON parse error - Expecting ',' delimiter: line 1 column 2000 (char 1999)",
    });
  });

  test('refuses nesting beyond MAX_JSON_DEPTH unparsed, in Python’s words; brackets in strings do not count', () => {
    const deep = MAX_JSON_DEPTH + 1;
    assert.throws(() => parseJsonBody(bytes('['.repeat(100_000)), 'utf-8'), {
      detail:
        'JSON parse error - maximum recursion depth exceeded while decoding a JSON array from a unicode string',
    });
    assert.throws(
      () => parseJsonBody(bytes(`${'{"a":'.repeat(deep)}1${'}'.repeat(deep)}`), 'utf-8'),
      {
        detail:
          'JSON parse error - maximum recursion depth exceeded while decoding a JSON object from a unicode string',
      },
    );
    const inString = JSON.stringify({ text: '['.repeat(deep * 2) });
    assert.deepEqual(parseJsonBody(bytes(inString), 'utf-8'), { text: '['.repeat(deep * 2) });
    const afterEscapedQuote = `["\\"${'['.repeat(deep)}"]`;
    assert.deepEqual(parseJsonBody(bytes(afterEscapedQuote), 'utf-8'), [`"${'['.repeat(deep)}`]);
  });

  test('a __proto__ key is an own property and pollutes nothing', () => {
    const value = parseJsonBody(bytes('{"__proto__":{"polluted":true}}'), 'utf-8') as object;
    assert.ok(Object.hasOwn(value, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
