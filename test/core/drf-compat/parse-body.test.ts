import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BodyParserName, parseBody } from '../../../src/core/drf-compat/parse-body.js';
import { ParseError, UnsupportedMediaType } from '../../../src/core/errors.js';

/** A body written one character per byte. */
function bytes(binary: string): Uint8Array {
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

type Outcome = { value: unknown } | { status: number; detail: string };

// Observed against DRF 3.14.0 (Django 3.2.25, CPython 3.11.2): `request.data` of a POST with
// this Content-Type and body, for a view whose `parser_classes` are in the order given.
const CASES: [string, string | undefined, string, BodyParserName[], Outcome][] = [
  ['empty body with no Content-Type', undefined, '', ['json', 'form', 'multipart'], { value: {} }],
  [
    'empty body of an unsupported type',
    'text/plain',
    '',
    ['json', 'form', 'multipart'],
    { value: {} },
  ],
  [
    'empty body, malformed JSON type',
    'application/json',
    '',
    ['json', 'form', 'multipart'],
    { value: {} },
  ],
  [
    'empty body, form type',
    'application/x-www-form-urlencoded',
    '',
    ['json', 'form', 'multipart'],
    { value: {} },
  ],
  [
    'empty body, multipart without boundary',
    'multipart/form-data',
    '',
    ['json', 'form', 'multipart'],
    { value: {} },
  ],
  [
    'body with no Content-Type',
    undefined,
    'x',
    ['json', 'form', 'multipart'],
    { status: 415, detail: 'Unsupported media type "" in request.' },
  ],
  [
    'body with an empty Content-Type',
    '',
    'x',
    ['json', 'form', 'multipart'],
    { status: 415, detail: 'Unsupported media type "" in request.' },
  ],
  [
    'unsupported type',
    'text/plain',
    'x',
    ['json', 'form', 'multipart'],
    { status: 415, detail: 'Unsupported media type "text/plain" in request.' },
  ],
  [
    'unsupported type: the whole header is echoed',
    'text/plain; charset=utf-8',
    'x',
    ['json', 'form', 'multipart'],
    { status: 415, detail: 'Unsupported media type "text/plain; charset=utf-8" in request.' },
  ],
  [
    'type with no subtype',
    'application',
    '{}',
    ['json', 'form', 'multipart'],
    { status: 415, detail: 'Unsupported media type "application" in request.' },
  ],
  [
    'type and subtype are case-insensitive',
    'APPLICATION/JSON',
    '{"a":1}',
    ['json', 'form', 'multipart'],
    { value: { a: 1 } },
  ],
  [
    'parameters are ignored when matching',
    'application/json; q=0; x=y',
    '{"a":1}',
    ['json', 'form', 'multipart'],
    { value: { a: 1 } },
  ],
  [
    'spaces around the type are ignored',
    'application/json ;charset=utf-8',
    '{"a":1}',
    ['json', 'form', 'multipart'],
    { value: { a: 1 } },
  ],
  [
    'a subtype with a suffix does not match',
    'application/vnd.api+json',
    '{}',
    ['json', 'form', 'multipart'],
    { status: 415, detail: 'Unsupported media type "application/vnd.api+json" in request.' },
  ],
  [
    'application/* picks the first application parser (json first)',
    'application/*',
    '{"a":1}',
    ['json', 'form', 'multipart'],
    { value: { a: 1 } },
  ],
  [
    'application/* picks the first application parser (form first)',
    'application/*',
    'a=1',
    ['form', 'multipart', 'json'],
    { value: { a: '1' } },
  ],
  [
    '*/* picks the first parser',
    '*/*',
    'a=1',
    ['form', 'multipart', 'json'],
    { value: { a: '1' } },
  ],
  [
    'multipart/* reaches the multipart parser',
    'multipart/*',
    'x',
    ['json', 'form', 'multipart'],
    { status: 400, detail: 'Multipart form parse error - Invalid boundary in multipart: None' },
  ],
  [
    '*/form-data reaches Django, which wants multipart/',
    '*/form-data; boundary=b',
    'x',
    ['multipart'],
    {
      status: 400,
      detail: 'Multipart form parse error - Invalid Content-Type: */form-data; boundary=b',
    },
  ],
  [
    'a parser the view lacks',
    'application/json',
    '{}',
    ['form', 'multipart'],
    { status: 415, detail: 'Unsupported media type "application/json" in request.' },
  ],
  [
    'charset latin1',
    'application/json; charset=latin1',
    '{"a":"\xe9"}',
    ['json', 'form', 'multipart'],
    { value: { a: '\xe9' } },
  ],
  [
    'charset in quotes, upper-case name',
    'application/json; CHARSET="latin-1"',
    '{"a":"\xe9"}',
    ['json', 'form', 'multipart'],
    { value: { a: '\xe9' } },
  ],
  [
    'an unknown charset means UTF-8',
    'application/json; charset=bogus',
    '{"a":"\xc3\xa9"}',
    ['json', 'form', 'multipart'],
    { value: { a: '\xe9' } },
  ],
  [
    'the last charset wins',
    'application/json; charset=latin1; charset=utf-8',
    '{"a":"\xc3\xa9"}',
    ['json', 'form', 'multipart'],
    { value: { a: '\xe9' } },
  ],
  [
    'form body',
    'application/x-www-form-urlencoded',
    'username=ada&password=pw',
    ['form', 'multipart', 'json'],
    { value: { username: 'ada', password: 'pw' } },
  ],
  [
    'multipart body',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--',
    ['form', 'multipart', 'json'],
    { value: { a: '1' } },
  ],
  [
    'JSON body that is a list',
    'application/json',
    '[1]',
    ['json', 'form', 'multipart'],
    { value: [1] },
  ],
];

// Where DRF itself fails with a 500 (a Python exception escapes), tessera answers a 415.
const DRF_CRASHES: [string, string][] = [
  ['non-ASCII type (UnicodeDecodeError)', 'application/js\xf6n'],
  ['non-ASCII parameter name (UnicodeDecodeError)', 'application/json; \xe9=1'],
  ['RFC 2231 value in an unknown charset (LookupError)', "application/json; a*=bogus''%41"],
];

/** Plain data for comparison: parsed forms have no prototype. */
function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? { ...value }
    : value;
}

// A small deterministic generator, so the random inputs below are the same on every run.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseBody', () => {
  for (const [name, contentType, body, parsers, outcome] of CASES) {
    test(name, () => {
      if ('value' in outcome) {
        assert.deepEqual(plain(parseBody(contentType, bytes(body), parsers)), outcome.value);
        return;
      }
      assert.throws(
        () => parseBody(contentType, bytes(body), parsers),
        (error: unknown) => {
          assert.ok(error instanceof ParseError || error instanceof UnsupportedMediaType);
          assert.equal(error.status, outcome.status);
          assert.equal(error.detail, outcome.detail);
          return true;
        },
      );
    });
  }

  for (const [name, contentType] of DRF_CRASHES) {
    test(`DRF crashes, tessera refuses: ${name}`, () => {
      assert.throws(() => parseBody(contentType, bytes('{}'), ['json']), {
        status: 415,
        detail: `Unsupported media type "${contentType}" in request.`,
      });
    });
  }

  test('an empty body is a plain empty object', () => {
    const data = parseBody(undefined, new Uint8Array(0), ['json']);
    assert.deepEqual(data, {});
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
  });

  test('the echoed Content-Type loses the spaces and tabs an HTTP server strips', () => {
    assert.throws(() => parseBody(' \ttext/plain \t', bytes('x'), ['json']), {
      detail: 'Unsupported media type "text/plain" in request.',
    });
  });

  test('any bytes and Content-Type give data, ParseError or UnsupportedMediaType', () => {
    const next = random(20240611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const types = [
      'application/json',
      'application/json; charset=latin1',
      'application/json; charset=utf-8-sig',
      'application/x-www-form-urlencoded; charset=ascii',
      'multipart/form-data; boundary=b',
      'multipart/form-data; boundary="b"; charset=latin1',
      'multipart/form-data',
      "multipart/form-data; boundary*=utf-8''b",
      '*/*',
      'text/plain',
      "application/json; a*=x'y",
      '\xff/\xfe',
    ];
    const pieces = [
      '--b',
      '\r\n',
      '\r\n\r\n',
      'Content-Disposition: form-data; name="a"',
      '; filename="f"',
      "; name*=utf-8''%C3",
      "; filename*=bogus''%41",
      'Content-Transfer-Encoding: base64',
      '{',
      '}',
      '[',
      '"',
      ':',
      ',',
      '\\u',
      'NaN',
      '1e5',
      '=',
      '&',
      '%',
      '%C3',
      '+',
      '\xff',
      '\xef\xbb\xbf',
      '\xed\xa0\x80',
      '\xf0\x9f',
      '&#46;',
      'YQ==',
      '\x00',
    ];
    for (let round = 0; round < 3000; round++) {
      let body = '';
      const count = Math.floor(next() * 12);
      for (let i = 0; i < count; i++) {
        body += next() < 0.2 ? String.fromCharCode(Math.floor(next() * 256)) : pick(pieces);
      }
      const contentType = pick(types);
      const parsers = pick<BodyParserName[]>([
        ['json', 'form', 'multipart'],
        ['form', 'multipart', 'json'],
      ]);
      try {
        parseBody(contentType, bytes(body), parsers);
      } catch (error) {
        assert.ok(
          error instanceof ParseError || error instanceof UnsupportedMediaType,
          `${contentType} ${JSON.stringify(body)}: ${String(error)}`,
        );
      }
    }
  });
});
