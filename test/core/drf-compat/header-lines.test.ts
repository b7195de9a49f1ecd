import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { headerFromLines } from '../../../src/core/drf-compat/header-lines.js';

describe('headerFromLines (gunicorn http/wsgi.py: repeated headers in the WSGI environ)', () => {
  test('absent → undefined; one line → that value itself, whatever the name’s case', () => {
    assert.equal(headerFromLines([], 'authorization'), undefined);
    assert.equal(headerFromLines(['Host', 'x'], 'authorization'), undefined);
    const value = 'Token abc';
    assert.equal(headerFromLines(['Host', 'x', 'AuThOrIzAtIoN', value], 'authorization'), value);
    assert.equal(headerFromLines(['authorization', ''], 'authorization'), '');
  });

  test('repeated lines are joined with "," and no space, in order, empty lines kept', () => {
    const lines = [
      'Authorization',
      'Token a',
      'Host',
      'x',
      'authorization',
      '',
      'AUTHORIZATION',
      'b',
    ];
    assert.equal(headerFromLines(lines, 'authorization'), 'Token a,,b');
  });

  test('Content-Type and Content-Length: the last line wins (gunicorn overwrites CONTENT_TYPE)', () => {
    const lines = ['Content-Type', 'text/plain', 'content-type', 'application/json'];
    assert.equal(headerFromLines(lines, 'content-type'), 'application/json');
    assert.equal(
      headerFromLines(['Content-Length', '1', 'Content-Length', '2'], 'content-length'),
      '2',
    );
  });

  test('a name differing only beyond ASCII letters does not match (no Unicode case folding)', () => {
    assert.equal(headerFromLines(['Authorizatio\u0130', 'x'], 'authorizatioi'), undefined);
    assert.equal(headerFromLines(['authorization_', 'x'], 'authorization'), undefined);
  });

  test('property: any lines give the values of the matching names joined with ","', () => {
    const name = fc.constantFrom('Authorization', 'authorization', 'Accept', 'X-Other');
    const value = fc.string({ unit: 'binary-ascii', maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { maxLength: 6 }), (pairs) => {
        const lines = pairs.flat();
        const matching = pairs.filter(([n]) => n.toLowerCase() === 'authorization');
        const expected = matching.length === 0 ? undefined : matching.map(([, v]) => v).join(',');
        assert.equal(headerFromLines(lines, 'authorization'), expected);
      }),
    );
  });
});
