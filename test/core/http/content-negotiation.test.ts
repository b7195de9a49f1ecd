import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NotAcceptable, NotFound } from '../../../src/core/errors.js';
import { negotiate } from '../../../src/core/http/content-negotiation.js';

// Observed against DRF 3.14.0 (Django 3.2.25): DefaultContentNegotiation.select_renderer for a
// view with only JSONRenderer, given this Accept header and `?format=` value (undefined: absent).
const CASES: [string | undefined, string | undefined, 'ok' | 404 | 406][] = [
  [undefined, undefined, 'ok'],
  ['*/*', undefined, 'ok'],
  ['application/json', undefined, 'ok'],
  ['', undefined, 406],
  [' ', undefined, 406],
  ['text/html', undefined, 406],
  ['text/html, application/json', undefined, 'ok'],
  ['application/json, text/plain, */*', undefined, 'ok'],
  [
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
    undefined,
    'ok',
  ],
  ['text/html,application/xhtml+xml,application/xml;q=0.9', undefined, 406],
  ['application/*', undefined, 'ok'],
  ['*/json', undefined, 'ok'],
  ['text/*', undefined, 406],
  ['*', undefined, 406],
  ['application', undefined, 406],
  ['APPLICATION/JSON', undefined, 'ok'],
  ['application/json; q=0', undefined, 'ok'],
  ['*/*;q=0', undefined, 'ok'],
  ['application/json; indent=4', undefined, 'ok'],
  ['application/json;', undefined, 'ok'],
  ['  application/json  ', undefined, 'ok'],
  ['application/json\t', undefined, 'ok'],
  ['application /json', undefined, 406],
  ['application/ json', undefined, 406],
  ['application/json/x', undefined, 406],
  ['application/vnd.api+json', undefined, 406],
  ['"application/json"', undefined, 406],
  ['application/json;charset="a;b"', undefined, 'ok'],
  [',', undefined, 406],
  ['text/html,', undefined, 406],
  ['\x85application/json\xa0', undefined, 'ok'],
  ['application/json\x1c', undefined, 'ok'],
  ['text/html; a=\xe9', undefined, 406],
  [undefined, 'json', 'ok'],
  [undefined, '', 'ok'],
  [undefined, 'xml', 404],
  [undefined, 'api', 404],
  [undefined, 'JSON', 404],
  ['text/html', 'json', 406],
  ['text/html', 'xml', 404],
  ['*/*', 'json', 'ok'],
];

// DRF raises a 500 for these (a Python exception escapes while it parses the list, whatever
// the other entries say); tessera answers 406.
const DRF_CRASHES = [
  'text/\xe9',
  'text/html; \xe9=1',
  '*/*, text/\xe9',
  "application/json; a*=bogus''%41",
];

describe('negotiate', () => {
  for (const [accept, format, outcome] of CASES) {
    test(`Accept ${JSON.stringify(accept)}, format ${JSON.stringify(format)}: ${outcome}`, () => {
      if (outcome === 'ok') {
        assert.doesNotThrow(() => negotiate(accept, format));
      } else if (outcome === 404) {
        assert.throws(
          () => negotiate(accept, format),
          (error: unknown) => {
            assert.ok(error instanceof NotFound);
            assert.equal(error.detail, 'Not found.');
            return true;
          },
        );
      } else {
        assert.throws(
          () => negotiate(accept, format),
          (error: unknown) => {
            assert.ok(error instanceof NotAcceptable);
            assert.equal(error.status, 406);
            assert.equal(error.detail, 'Could not satisfy the request Accept header.');
            return true;
          },
        );
      }
    });
  }

  for (const accept of DRF_CRASHES) {
    test(`DRF crashes, tessera refuses: ${JSON.stringify(accept)}`, () => {
      assert.throws(() => negotiate(accept, undefined), NotAcceptable);
    });
  }
});
