import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMultipartBody } from '../../../src/core/drf-compat/multipart-body.js';
import { UploadedFile } from '../../../src/core/drf-compat/uploaded-file.js';
import { ParseError } from '../../../src/core/errors.js';

/** A body written one character per byte. */
function bytes(binary: string): Uint8Array {
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function field(name: string, value: string): string {
  return `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;
}

function fields(count: number): string {
  let body = '';
  for (let i = 0; i < count; i++) body += `--b\r\n${field(`f${i}`, 'v')}\r\n`;
  return `${body}--b--`;
}

function files(count: number): string {
  let body = '';
  for (let i = 0; i < count; i++) {
    body += `--b\r\nContent-Disposition: form-data; name="f${i}"; filename="a"\r\n\r\nv\r\n`;
  }
  return `${body}--b--`;
}

/** How a table row writes an uploaded file: by its name. */
function file(name: string): { file: string } {
  return { file: name };
}

type Outcome =
  | { entries: [string, string | { file: string }][] }
  | { count: number }
  | { error: string };

// Observed against DRF 3.14.0 (Django 3.2.25, CPython 3.11.2): MultiPartParser, then
// `request.data[name]` for each name (files merged in, as `request.data` does).
const CASES: [string, string, string, Outcome][] = [
  [
    'two fields',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nada\r\n--b\r\nContent-Disposition: form-data; name="password"\r\n\r\npw\r\n--b--\r\n',
    {
      entries: [
        ['username', 'ada'],
        ['password', 'pw'],
      ],
    },
  ],
  [
    'a repeated name keeps the last value',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n2\r\n--b--\r\n',
    { entries: [['a', '2']] },
  ],
  [
    'CRLF inside a value is kept; the CRLF before the boundary is not',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\ny\r\n\r\n--b--\r\n',
    { entries: [['a', 'x\r\ny\r\n']] },
  ],
  [
    'LF line breaks in the part headers are not header breaks',
    'multipart/form-data; boundary=b',
    '--b\nContent-Disposition: form-data; name="a"\n\nvalue\n--b--\n',
    { entries: [] },
  ],
  [
    'a lone LF before the boundary is dropped',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\n--b--',
    { entries: [['a', 'v']] },
  ],
  [
    'a lone CR before the boundary is dropped',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r--b--',
    { entries: [['a', 'v']] },
  ],
  [
    'only one CRLF before the boundary is dropped',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n\r\n--b--',
    { entries: [['a', 'v\r\n']] },
  ],
  [
    'no line break before the boundary',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv--b--',
    { entries: [['a', 'v']] },
  ],
  [
    'preamble and epilogue are ignored',
    'multipart/form-data; boundary=b',
    'preamble\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\nepilogue\r\n',
    { entries: [['a', '1']] },
  ],
  [
    'a preamble with headers is a part',
    'multipart/form-data; boundary=b',
    'Content-Disposition: form-data; name="pre"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n',
    {
      entries: [
        ['pre', 'x'],
        ['a', '1'],
      ],
    },
  ],
  [
    'an epilogue with headers is a part',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\nContent-Disposition: form-data; name="post"\r\n\r\ny',
    {
      entries: [
        ['a', '1'],
        ['post', 'y'],
      ],
    },
  ],
  [
    'missing final boundary: the last part runs to the end',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name="b"\r\n\r\n2\r\n',
    {
      entries: [
        ['a', '1'],
        ['b', '2\r\n'],
      ],
    },
  ],
  [
    'no boundary in the body at all',
    'multipart/form-data; boundary=b',
    'just text',
    { entries: [] },
  ],
  [
    'quoted boundary parameter',
    'multipart/form-data; boundary="a b:c"',
    '--a b:c\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--a b:c--\r\n',
    { entries: [['a', '1']] },
  ],
  [
    'boundary parameter name is case-insensitive',
    'multipart/form-data; BOUNDARY=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--',
    { entries: [['a', '1']] },
  ],
  [
    'a file part is data, and replaces the field of the same name',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="u"\r\n\r\ntext\r\n--b\r\nContent-Disposition: form-data; name="u"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\ncontent\r\n--b\r\nContent-Disposition: form-data; name="p"\r\n\r\npw\r\n--b--\r\n',
    {
      entries: [
        ['u', file('a.txt')],
        ['p', 'pw'],
      ],
    },
  ],
  [
    'a file part before the field still wins',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="u"; filename="a.txt"\r\n\r\ncontent\r\n--b\r\nContent-Disposition: form-data; name="u"\r\n\r\ntext\r\n--b--\r\n',
    { entries: [['u', file('a.txt')]] },
  ],
  [
    'an empty filename makes a text field',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="f"; filename=""\r\n\r\nvalue\r\n--b--\r\n',
    { entries: [['f', 'value']] },
  ],
  [
    'a file with nothing after its closing boundary is dropped',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\ndata\r\n--b',
    { entries: [] },
  ],
  [
    'a file named . is ignored',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="f"; filename="."\r\n\r\ndata\r\n--b--\r\n',
    { entries: [] },
  ],
  [
    'a file name loses its directories',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="f"; filename="C:\\\\dir/sub\\\\a.txt"\r\n\r\ndata\r\n--b--\r\n',
    { entries: [['f', file('a.txt')]] },
  ],
  [
    'a part without a name is ignored',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--',
    { entries: [['a', '1']] },
  ],
  [
    'a part without Content-Disposition is ignored',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--',
    { entries: [] },
  ],
  [
    'header names are case-insensitive; a space before the colon hides the header',
    'multipart/form-data; boundary=b',
    '--b\r\ncontent-DISPOSITION: form-data; NAME=" a "\r\n\r\n1\r\n--b\r\nContent-Disposition : form-data; name="b"\r\n\r\n2\r\n--b--',
    { entries: [['a', '1']] },
  ],
  [
    'RFC 2231 names are decoded',
    'multipart/form-data; boundary=b',
    "--b\r\nContent-Disposition: form-data; name*=utf-8''%C3%A9\r\n\r\n1\r\n--b--",
    { entries: [['\xe9', '1']] },
  ],
  [
    'names and values are decoded with the charset, replacing errors',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="\xc3\xa9"\r\n\r\n\xc3\xa9\xff\r\n--b--',
    { entries: [['\xe9', '\xe9\ufffd']] },
  ],
  [
    'latin-1 charset',
    'multipart/form-data; boundary=b; charset=latin1',
    '--b\r\nContent-Disposition: form-data; name="\xe9"\r\n\r\n\xe9\r\n--b--',
    { entries: [['\xe9', '\xe9']] },
  ],
  [
    'base64 field',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64\r\n\r\ncHc=\r\n--b--',
    { entries: [['a', 'pw']] },
  ],
  [
    'invalid base64 field keeps its raw value',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\nContent-Transfer-Encoding: base64\r\n\r\ncHc\r\n--b--',
    { entries: [['a', 'cHc']] },
  ],
  [
    'invalid base64 file',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="f"; filename="a"\r\nContent-Transfer-Encoding: base64\r\n\r\ncHc\r\n--b--',
    { error: 'Multipart form parse error - Could not decode base64 data.' },
  ],
  [
    'headers beyond the first 1024 bytes make the part raw',
    'multipart/form-data; boundary=b',
    `--b\r\nX-Pad: ${'p'.repeat(1000)}\r\n${field('a', '1')}\r\n--b--`,
    { entries: [] },
  ],
  [
    'body without headers',
    'multipart/form-data; boundary=b',
    '--b\r\n\r\nvalue\r\n--b--',
    { entries: [] },
  ],
  [
    'missing boundary parameter',
    'multipart/form-data',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1',
    { error: 'Multipart form parse error - Invalid boundary in multipart: None' },
  ],
  [
    'empty boundary parameter',
    'multipart/form-data; boundary=',
    'x',
    { error: 'Multipart form parse error - Invalid boundary in multipart: ' },
  ],
  [
    'boundary ending in a space',
    'multipart/form-data; boundary="ab "',
    'x',
    { error: 'Multipart form parse error - Invalid boundary in multipart: ab ' },
  ],
  [
    'boundary longer than 201 characters',
    `multipart/form-data; boundary=${'x'.repeat(202)}`,
    'x',
    { error: `Multipart form parse error - Invalid boundary in multipart: ${'x'.repeat(202)}` },
  ],
  [
    'boundary of 201 characters',
    `multipart/form-data; boundary=${'x'.repeat(201)}`,
    `--${'x'.repeat(201)}\r\n${field('a', '1')}\r\n--${'x'.repeat(201)}--`,
    { entries: [['a', '1']] },
  ],
  [
    'non-ASCII Content-Type',
    'multipart/form-data; boundary=\xe9',
    'x',
    {
      error:
        'Multipart form parse error - Invalid non-ASCII Content-Type in multipart: multipart/form-data; boundary=\xe9',
    },
  ],
  [
    "capitalised type fails Django's own check",
    'Multipart/Form-Data; boundary=b',
    'x',
    { error: 'Multipart form parse error - Invalid Content-Type: Multipart/Form-Data; boundary=b' },
  ],
  ['1000 fields', 'multipart/form-data; boundary=b', fields(1000), { count: 1000 }],
  // Django raises TooManyFieldsSent (its 400 page); tessera answers a 400 ParseError.
  [
    '1001 fields',
    'multipart/form-data; boundary=b',
    fields(1001),
    { error: 'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.' },
  ],
  // Django raises TooManyFilesSent (its 400 page); tessera answers a 400 ParseError.
  [
    '101 files',
    'multipart/form-data; boundary=b',
    files(101),
    { error: 'The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.' },
  ],
];

function describeValue(value: string | UploadedFile): string | { file: string } {
  return value instanceof UploadedFile ? file(value.name) : value;
}

describe('parseMultipartBody', () => {
  for (const [name, contentType, body, outcome] of CASES) {
    test(name, () => {
      const codec = contentType.endsWith('charset=latin1') ? 'latin-1' : 'utf-8';
      if ('error' in outcome) {
        assert.throws(
          () => parseMultipartBody(contentType, bytes(body), codec),
          (error: unknown) => {
            assert.ok(error instanceof ParseError);
            assert.equal(error.status, 400);
            assert.equal(error.detail, outcome.error);
            return true;
          },
        );
        return;
      }
      const data = parseMultipartBody(contentType, bytes(body), codec);
      assert.equal(Object.getPrototypeOf(data), null);
      if ('count' in outcome) {
        assert.equal(Object.keys(data).length, outcome.count);
        return;
      }
      const entries = Object.entries(data).map(([key, value]) => [key, describeValue(value)]);
      assert.deepEqual(entries, outcome.entries);
    });
  }

  test('a file is described, not kept', () => {
    const body =
      '--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n' +
      'Content-Type: Text/Plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs bG8=\r\n--b--\r\n';
    const data = parseMultipartBody('multipart/form-data; boundary=b', bytes(body), 'utf-8');
    assert.deepEqual(data.f, new UploadedFile('a.txt', 'text/plain', 5));
  });

  test('text fields over 2.5 MiB are refused, as Django refuses them', () => {
    const big = 'x'.repeat(2.5 * 1024 * 1024);
    assert.throws(
      () =>
        parseMultipartBody(
          'multipart/form-data; boundary=b',
          bytes(`--b\r\n${field('a', big)}\r\n--b--`),
          'utf-8',
        ),
      { detail: 'Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.' },
    );
    const fits = big.slice(3);
    const data = parseMultipartBody(
      'multipart/form-data; boundary=b',
      bytes(`--b\r\n${field('a', fits)}\r\n--b--`),
      'utf-8',
    );
    assert.equal(data.a, fits);
  });

  test('a boundary split across what would be read chunks is still found', () => {
    const value = 'y'.repeat(70_000);
    const body = `--b\r\n${field('a', value)}\r\n--b\r\n${field('c', 'tail')}\r\n--b--`;
    const data = parseMultipartBody('multipart/form-data; boundary=b', bytes(body), 'utf-8');
    assert.equal(data.a, value);
    assert.equal(data.c, 'tail');
  });
});
