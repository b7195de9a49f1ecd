import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolvePoolOptions } from '../../src/stores/server-pool-options.js';

test('pool options default to the settings’ defaults', () => {
  assert.deepEqual(resolvePoolOptions({}), {
    poolSize: 10,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 10_000,
  });
  assert.deepEqual(resolvePoolOptions({ poolSize: 2, statementTimeoutMs: 100 }), {
    poolSize: 2,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 100,
  });
});

test('a limit of zero, a negative or a fraction is refused: every wait stays finite', () => {
  assert.throws(() => resolvePoolOptions({ statementTimeoutMs: 0 }), RangeError);
  assert.throws(() => resolvePoolOptions({ connectTimeoutMs: -1 }), RangeError);
  assert.throws(() => resolvePoolOptions({ poolSize: 1.5 }), /poolSize must be a positive integer/);
});
