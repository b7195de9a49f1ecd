import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnonRateThrottle } from '../../../src/core/throttling/anon-rate-throttle.js';
import { ImproperlyConfigured } from '../../../src/core/throttling/improperly-configured.js';
import { MemoryThrottleBackend } from '../../../src/core/throttling/memory-throttle-backend.js';
import { parseRate } from '../../../src/core/throttling/rate.js';
import { ScopedRateThrottle } from '../../../src/core/throttling/scoped-rate-throttle.js';
import { SimpleRateThrottle } from '../../../src/core/throttling/simple-rate-throttle.js';
import { drfWait } from '../../../src/core/throttling/sliding-window.js';
import { ManualClock } from '../../../src/core/time/clock.js';
import { runDrfThrottlingCases } from './drf-throttling-cases.js';
import { fakeRequest, userWithId } from './throttle-fixtures.js';

runDrfThrottlingCases({ name: 'memory', open: async () => new MemoryThrottleBackend() });

const backend = new MemoryThrottleBackend();

/** DRF's bare `SimpleRateThrottle` with `scope = 'anon'` (its tests' setUp). */
class AnonScopedThrottle extends SimpleRateThrottle {
  constructor(rate?: string) {
    super({ backend, ...(rate ? { rate } : {}) }, 'anon');
  }
  cacheKey(): string | null {
    return 'throttle_anon_x';
  }
}

describe('DRF test_throttling.py: SimpleRateThrottleTests', () => {
  test('test_get_rate_raises_error_if_scope_is_missing', () => {
    class NoScope extends SimpleRateThrottle {
      constructor() {
        super({ backend }, null);
      }
      cacheKey() {
        return null;
      }
    }
    assert.throws(
      () => new NoScope(),
      new ImproperlyConfigured("You must set either `.scope` or `.rate` for 'NoScope' throttle"),
    );
  });

  test('test_throttle_raises_error_if_rate_is_missing', () => {
    class InvalidScope extends SimpleRateThrottle {
      constructor() {
        super({ backend }, 'invalid scope');
      }
      cacheKey() {
        return null;
      }
    }
    assert.throws(
      () => new InvalidScope(),
      new ImproperlyConfigured("No default throttle rate set for 'invalid scope' scope"),
    );
  });

  test('test_parse_rate_returns_tuple_with_none_if_rate_not_provided', () => {
    assert.equal(parseRate(null), null);
    assert.equal(new AnonScopedThrottle().parsedRate, null);
  });

  test('test_allow_request_returns_true_if_rate_is_none', async () => {
    const throttle = new AnonScopedThrottle();
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await throttle.allowRequest(fakeRequest(), {}), {
        allowed: true,
        wait: null,
      });
    }
  });

  test('test_allow_request_returns_true_if_key_is_none', async () => {
    class NoKey extends AnonScopedThrottle {
      override cacheKey() {
        return null;
      }
    }
    const throttle = new NoKey('1/min');
    for (let i = 0; i < 3; i++) {
      assert.equal((await throttle.allowRequest(fakeRequest(), {})).allowed, true);
    }
  });

  test('test_wait_returns_correct_waiting_time_without_history: 30.0 at 1/60 s', () => {
    assert.equal(
      drfWait({ count: 0, oldest: null, now: Date.now(), limit: 1, durationMs: 60_000 }),
      30,
    );
  });

  test('test_wait_returns_none_if_there_are_no_available_requests', () => {
    const now = Date.now();
    assert.equal(drfWait({ count: 3, oldest: now, now, limit: 1, durationMs: 60_000 }), null);
  });
});

describe('DRF test_throttling.py: AnonRateThrottleTests and cache keys', () => {
  const anon = new AnonRateThrottle({ backend });

  test('test_authenticated_user_not_affected', () => {
    assert.equal(anon.cacheKey(fakeRequest({ user: userWithId(1) })), null);
  });

  test('test_get_cache_key_returns_correct_value: no REMOTE_ADDR gives throttle_anon_None', () => {
    assert.equal(anon.cacheKey(fakeRequest()), 'throttle_anon_None');
    assert.equal(
      anon.cacheKey(fakeRequest({ remoteAddress: '10.0.0.1' })),
      'throttle_anon_10.0.0.1',
    );
  });

  test('test_get_cache_key_returns_correct_key_if_user_is_authenticated', async () => {
    const scoped = new ScopedRateThrottle({ backend });
    const request = fakeRequest({ user: userWithId(42) });
    assert.deepEqual(await scoped.allowRequest(request, { throttleScope: 'user' }), {
      allowed: true,
      wait: null,
    });
    assert.equal(scoped.cacheKey(request, { throttleScope: 'user' }), 'throttle_user_42');
  });

  test('AnonRateThrottle counts anonymous requests by address, lets users through', async () => {
    const clock = new ManualClock(0);
    const limited = new AnonRateThrottle({
      backend: new MemoryThrottleBackend(),
      clock,
      rate: '1/min',
    });
    const from = fakeRequest({ remoteAddress: '10.0.0.2' });
    assert.equal((await limited.allowRequest(from, {})).allowed, true);
    assert.deepEqual(await limited.allowRequest(from, {}), { allowed: false, wait: 60 });
    const user = fakeRequest({ remoteAddress: '10.0.0.2', user: userWithId(3) });
    assert.equal((await limited.allowRequest(user, {})).allowed, true);
  });
});
