import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeReplace,
  decodeStream,
  decodeStrict,
  lookupPythonCodec,
  type PythonCodec,
} from '../../../src/core/drf-compat/python-codec.js';

function bytes(binary: string): Uint8Array {
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

// Observed with CPython 3.11.2's codecs.lookup(name).name; undefined where it raises
// LookupError. Names Python knows for other codecs (utf-16, cp1252…) also give undefined.
const NAMES: [string, PythonCodec | undefined][] = [
  ['utf-8', 'utf-8'],
  ['UTF8', 'utf-8'],
  ['UTF 8', 'utf-8'],
  ['utf--8', 'utf-8'],
  ['  utf-8  ', 'utf-8'],
  ['utf8\xe9', 'utf-8'],
  ['\xe9utf8', 'utf-8'],
  ['utf\xa08', 'utf-8'],
  ['u8', 'utf-8'],
  ['cp65001', 'utf-8'],
  ['utf.8', undefined],
  ['utf-8-sig', 'utf-8-sig'],
  ['UTF8-SIG', undefined],
  ['latin1', 'latin-1'],
  ['Latin-1', 'latin-1'],
  ['ISO-8859-1', 'latin-1'],
  ['iso8859.1', 'latin-1'],
  ['ISO_8859-1:1987', 'latin-1'],
  ['l1', 'latin-1'],
  ['8859', 'latin-1'],
  ['cp819', 'latin-1'],
  ['ascii', 'ascii'],
  ['US-ASCII', 'ascii'],
  ['646', 'ascii'],
  ['ANSI_X3.4-1968', 'ascii'],
  ['iso-ir-6', 'ascii'],
  ['bogus', undefined],
  ['', undefined],
  ['constructor', undefined],
  ['__proto__', undefined],
];

// Observed with CPython 3.11.2: codecs.getreader(codec)(BytesIO(b)).read(), b.decode(codec)
// and b.decode(codec, 'replace').
const DECODES: [PythonCodec, string, string | { error: string }, string | undefined, string][] = [
  ['utf-8', 'a\xc3\xa9', 'a\xe9', 'a\xe9', 'a\xe9'],
  ['utf-8', '\xef\xbb\xbfa', '\ufeffa', '\ufeffa', '\ufeffa'],
  [
    'utf-8',
    'ab\xff',
    { error: "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte" },
    undefined,
    'ab\ufffd',
  ],
  [
    'utf-8',
    '\xe2\x82x',
    { error: "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte" },
    undefined,
    '\ufffdx',
  ],
  ['utf-8', 'a\xe2\x82', 'a', undefined, 'a\ufffd'],
  ['utf-8', 'a\xf0\x9f\x98', 'a', undefined, 'a\ufffd'],
  ['utf-8', 'a\xed\xa0', 'a', undefined, 'a\ufffd\ufffd'],
  [
    'utf-8',
    'a\xed\xa0\x80',
    { error: "'utf-8' codec can't decode byte 0xed in position 1: invalid continuation byte" },
    undefined,
    'a\ufffd\ufffd\ufffd',
  ],
  [
    'utf-8',
    '\xf4\x90\x80\x80',
    { error: "'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte" },
    undefined,
    '\ufffd\ufffd\ufffd\ufffd',
  ],
  ['utf-8-sig', '\xef\xbb\xbfa', 'a', 'a', 'a'],
  ['utf-8-sig', '\xef\xbb', '', undefined, '\ufffd'],
  [
    'utf-8-sig',
    '\xef\xbb\xbf\xff',
    { error: "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte" },
    undefined,
    '\ufffd',
  ],
  ['latin-1', '\xe9\x80\xff', '\xe9\x80\xff', '\xe9\x80\xff', '\xe9\x80\xff'],
  [
    'ascii',
    'a\xe9b',
    { error: "'ascii' codec can't decode byte 0xe9 in position 1: ordinal not in range(128)" },
    undefined,
    'a\ufffdb',
  ],
];

describe('lookupPythonCodec', () => {
  for (const [name, codec] of NAMES) {
    test(JSON.stringify(name), () => {
      assert.equal(lookupPythonCodec(name), codec);
    });
  }
});

describe('decoding as CPython does', () => {
  for (const [codec, input, stream, strict, replace] of DECODES) {
    test(`${codec} ${JSON.stringify(input)}`, () => {
      const expectedStream = typeof stream === 'string' ? { text: stream } : stream;
      assert.deepEqual(decodeStream(bytes(input), codec), expectedStream);
      assert.equal(decodeStrict(bytes(input), codec), strict);
      assert.equal(decodeReplace(bytes(input), codec), replace);
    });
  }
});
