import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  contentTypeCharset,
  type DjangoHeaderResult,
  mediaTypeMatches,
  parseDjangoHeader,
} from '../../../src/core/drf-compat/media-type.js';

type Parsed = { key: string; params: [string, string, boolean][] } | { error: 'value' | 'lookup' };

function describeResult(result: DjangoHeaderResult): Parsed {
  if ('error' in result) return { error: result.error };
  return {
    key: result.header.key,
    params: [...result.header.params].map(([name, param]) => [name, param.value, param.isText]),
  };
}

// Observed with Django 3.2.25's django.http.multipartparser.parse_header on these bytes (one
// character per byte here); `true` marks a value Django returns as str rather than bytes, and
// `value`/`lookup` the ValueError/LookupError it raises.
const DJANGO_HEADERS: [string, Parsed][] = [
  ['Application/JSON', { key: 'application/json', params: [] }],
  [
    '  text/html ; Q=0.5 ; level=1',
    {
      key: 'text/html',
      params: [
        ['q', '0.5', false],
        ['level', '1', false],
      ],
    },
  ],
  [
    'form-data; name="a;b"; filename="x\\"y.txt"',
    {
      key: 'form-data',
      params: [
        ['name', 'a;b', false],
        ['filename', 'x"y.txt', false],
      ],
    },
  ],
  ['form-data; name="a\\\\b"', { key: 'form-data', params: [['name', 'a\\b', false]] }],
  [
    "form-data; filename*=utf-8''%C3%A9.txt",
    { key: 'form-data', params: [['filename', '\xe9.txt', true]] },
  ],
  [
    "form-data; filename*=UTF-8'en'%E9",
    { key: 'form-data', params: [['filename', '\ufffd', true]] },
  ],
  ['form-data; name=a; name=b', { key: 'form-data', params: [['name', 'b', false]] }],
  ['form-data; novalue; x=', { key: 'form-data', params: [['x', '', false]] }],
  ['a; b*=c', { key: 'a', params: [['b', 'c', false]] }],
  ["a; b*='c'd'", { key: 'a', params: [['b', "'c'd'", false]] }],
  ['a; "q;r"=1', { key: 'a', params: [['"q;r"', '1', false]] }],
  ['\xc3\xa9/x', { error: 'value' }],
  ['a; \xc3\xa9=1', { error: 'value' }],
  ['a; x=\xc3\xa9', { key: 'a', params: [['x', '\xc3\xa9', false]] }],
  ["a; x*=bogus''%41", { error: 'lookup' }],
  ["a; x*=bogus''A", { key: 'a', params: [['x', 'A', true]] }],
  ["a; x*=a'b", { key: 'a', params: [['x', "a'b", false]] }],
];

// Observed with Python 3.11's cgi.parse_header, which Django's HttpRequest uses for `charset`.
const CHARSETS: [string, string | undefined][] = [
  ['application/json; charset=utf-8', 'utf-8'],
  ['application/json;CHARSET="Latin-1"', 'Latin-1'],
  ['a; charset=x; charset=y', 'y'],
  ['a; charset="a\\"b"', 'a"b'],
  ['a; x="a;charset=q"; y=1', undefined],
  ['a; x="a\\";charset=q"', undefined],
  ['a;charset', undefined],
  ['a; \tcharset\x1c=\x85latin1\xa0', 'latin1'],
  ['a; x="; charset=latin1', undefined],
];

describe('parseDjangoHeader', () => {
  for (const [line, expected] of DJANGO_HEADERS) {
    test(JSON.stringify(line), () => {
      assert.deepEqual(describeResult(parseDjangoHeader(line, true)), expected);
    });
  }

  test('a header text keeps its values as text', () => {
    assert.deepEqual(describeResult(parseDjangoHeader('text/html; x=\xe9', false)), {
      key: 'text/html',
      params: [['x', '\xe9', true]],
    });
  });

  test('a header full of semicolons and quotes is split in linear time', () => {
    const line = `a; x="${';'.repeat(200_000)}`;
    const started = performance.now();
    const result = parseDjangoHeader(line, false);
    assert.ok('header' in result);
    assert.ok(performance.now() - started < 2000);
  });
});

describe('contentTypeCharset', () => {
  for (const [header, charset] of CHARSETS) {
    test(JSON.stringify(header), () => {
      assert.equal(contentTypeCharset(header), charset);
    });
  }
});

describe('mediaTypeMatches', () => {
  const match = (header: string) => {
    const parsed = parseDjangoHeader(header, false);
    assert.ok('header' in parsed);
    return mediaTypeMatches(parsed.header, 'application', 'json');
  };

  test('wildcards match on either side of the slash', () => {
    for (const header of [
      'application/json',
      '*/*',
      'application/*',
      '*/json',
      'APPLICATION/Json',
    ]) {
      assert.equal(match(header), true, header);
    }
  });

  test('parameters, q=0 included, are ignored', () => {
    assert.equal(match('application/json; q=0; indent=4'), true);
  });

  test('anything else does not match', () => {
    for (const header of [
      '',
      '*',
      'application',
      'text/json',
      'application/jsonx',
      'application/json/x',
    ]) {
      assert.equal(match(header), false, header);
    }
  });
});
