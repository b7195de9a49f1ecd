import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lastQueryParam } from '../../../src/core/http/query-param.js';

describe('lastQueryParam: Django QueryDict.get', () => {
  test('takes the last of repeated values, from a path or a whole URL', () => {
    assert.equal(lastQueryParam('/a/?format=xml&format=json', 'format'), 'json');
    assert.equal(lastQueryParam('http://h/a/?format=json&format=xml', 'format'), 'xml');
  });

  test('decodes percent escapes and "+", and ignores a fragment', () => {
    assert.equal(lastQueryParam('/a/?q=a+b%21#format=xml', 'q'), 'a b!');
    assert.equal(lastQueryParam('/a/?x=1#format=xml', 'format'), undefined);
  });

  test('absent parameter or no query string → undefined; empty value → ""', () => {
    assert.equal(lastQueryParam('/a/', 'format'), undefined);
    assert.equal(lastQueryParam('/a/?other=1', 'format'), undefined);
    assert.equal(lastQueryParam('/a/?format=', 'format'), '');
  });
});
