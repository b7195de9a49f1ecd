import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeScopes, encodeScopes } from '../../../src/stores/sql/scopes-json.js';

test('scopes are stored as a JSON list and read back', () => {
  assert.equal(encodeScopes(['*']), '["*"]');
  assert.equal(encodeScopes(['read', 'write']), '["read","write"]');
  assert.deepEqual(decodeScopes('["read","write"]'), ['read', 'write']);
  assert.deepEqual(decodeScopes('[]'), []);
});

test('the default scope list is shared and frozen, so no caller can change it for others', () => {
  const scopes = decodeScopes('["*"]');
  assert.deepEqual(scopes, ['*']);
  assert.equal(decodeScopes('["*"]'), scopes);
  assert.ok(Object.isFrozen(scopes));
});

test('a column that is not a list of strings reads as no scopes, the narrowest reading', () => {
  for (const json of ['"*"', '{"0":"*"}', '[1]', 'null', '[null]', 'not json', '["*"']) {
    assert.deepEqual(decodeScopes(json), [], json);
  }
});
