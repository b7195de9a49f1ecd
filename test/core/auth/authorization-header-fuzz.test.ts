import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  drfAuthorizationModel,
  headerArbitrary,
  keyword,
  parserOutcome,
} from './drf-authorization-model.js';

describe('parseAuthorizationHeader, property-based against a model of DRF', () => {
  test('any latin-1 header: the same outcome as DRF, and only AuthenticationFailed thrown', () => {
    fc.assert(
      fc.property(headerArbitrary, (header) => {
        assert.deepEqual(
          parserOutcome(header, ['Token']),
          drfAuthorizationModel(header, ['Token']),
        );
      }),
      { numRuns: 5000 },
    );
  });

  test('several keywords: the same rule for each', () => {
    fc.assert(
      fc.property(headerArbitrary, (header) => {
        const keywords = ['Token', 'Bearer'];
        assert.deepEqual(parserOutcome(header, keywords), drfAuthorizationModel(header, keywords));
      }),
      { numRuns: 2000 },
    );
  });

  test('characters beyond latin-1 (never from HTTP) throw nothing but AuthenticationFailed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), keyword, (tail, head) => {
        parserOutcome(`${head} ${tail}`, ['Token']);
        parserOutcome(tail, ['Token']);
      }),
      { numRuns: 2000 },
    );
  });
});
