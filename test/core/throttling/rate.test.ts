import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ImproperlyConfigured } from '../../../src/core/throttling/improperly-configured.js';
import { parseRate } from '../../../src/core/throttling/rate.js';

describe('parseRate (DRF SimpleRateThrottle.parse_rate)', () => {
  test('only the period’s first letter counts', () => {
    for (const [rate, durationMs] of [
      ['3/s', 1000],
      ['3/sec', 1000],
      ['3/second', 1000],
      ['3/m', 60_000],
      ['3/min', 60_000],
      ['3/minute', 60_000],
      ['3/mississippi', 60_000],
      ['3/hour', 3_600_000],
      ['3/day', 86_400_000],
      ['3/d', 86_400_000],
    ] as const) {
      assert.deepEqual(parseRate(rate), { limit: 3, durationMs }, rate);
    }
  });

  test('null and undefined mean no limit (DRF: (None, None))', () => {
    assert.equal(parseRate(null), null);
    assert.equal(parseRate(undefined), null);
  });

  test('zero is a limit that refuses everything', () => {
    assert.deepEqual(parseRate('0/min'), { limit: 0, durationMs: 60_000 });
  });

  test('what DRF cannot parse is ImproperlyConfigured', () => {
    // No multiplier form, no upper-case period, no negative or fractional count.
    for (const rate of ['5/10m', '5/M', '5', '5/', '/m', '-1/m', '1.5/m', 'x/m', '1/m/s', '']) {
      assert.throws(() => parseRate(rate), ImproperlyConfigured, rate);
    }
  });
});
