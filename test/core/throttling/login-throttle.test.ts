import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../../src/core/clock.js';
import { Throttled } from '../../../src/core/errors.js';
import {
  DEFAULT_LOGIN_FAILURE_RATES,
  LoginThrottle,
} from '../../../src/core/throttling/login-throttle.js';
import { MemoryThrottleBackend } from '../../../src/core/throttling/memory-throttle-backend.js';

const MINUTE = 60_000;

function setUp(
  rates: Partial<Record<'perUserAndAddress' | 'perUser' | 'perAddress', string | null>> = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const backend = new MemoryThrottleBackend();
  return { clock, backend, throttle: new LoginThrottle({ backend, clock, ...rates }) };
}

async function refusal(promise: Promise<void>): Promise<Throttled> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Throttled);
    return error;
  }
  assert.fail('expected Throttled');
}

describe('LoginThrottle', () => {
  test('defaults: 5 a minute per user and address, 20 per user, 30 per address', () => {
    assert.deepEqual(DEFAULT_LOGIN_FAILURE_RATES, {
      perUserAndAddress: '5/min',
      perUser: '20/min',
      perAddress: '30/min',
    });
  });

  test('the sixth failure in a minute for one user from one address is refused', async () => {
    const { throttle, clock } = setUp();
    for (let i = 0; i < 5; i++) {
      await throttle.check('alice', '10.0.0.1');
      await throttle.recordFailure('alice', '10.0.0.1');
      clock.advance(1000);
    }
    const error = await refusal(throttle.check('alice', '10.0.0.1'));
    // The first failure (5 s ago) leaves the window in 55 s.
    assert.equal(error.wait, 55);
    assert.equal(error.detail, 'Request was throttled. Expected available in 55 seconds.');
    // The same user elsewhere, and someone else here, are not refused.
    await throttle.check('alice', '10.0.0.2');
    await throttle.check('bob', '10.0.0.1');
    clock.advance(55_000);
    await throttle.check('alice', '10.0.0.1');
  });

  test('checking alone never counts (successes are never recorded)', async () => {
    const { throttle } = setUp();
    for (let i = 0; i < 100; i++) await throttle.check('alice', '10.0.0.1');
  });

  test('the per-user ceiling counts failures from every address', async () => {
    const { throttle } = setUp();
    for (let i = 0; i < 20; i++) await throttle.recordFailure('alice', `10.0.1.${i}`);
    await refusal(throttle.check('alice', '10.0.9.9'));
    await throttle.check('bob', '10.0.9.9');
  });

  test('the per-address ceiling counts failures for every username', async () => {
    const { throttle } = setUp();
    for (let i = 0; i < 30; i++) await throttle.recordFailure(`user${i}`, '10.0.0.7');
    await refusal(throttle.check('someone-new', '10.0.0.7'));
    await throttle.check('someone-new', '10.0.0.8');
  });

  test('usernames count exactly as sent: no case folding, no normalisation', async () => {
    const { throttle } = setUp();
    for (let i = 0; i < 5; i++) await throttle.recordFailure('alice', '10.0.0.1');
    await refusal(throttle.check('alice', '10.0.0.1'));
    await throttle.check('Alice', '10.0.0.1');
    await throttle.check('alice ', '10.0.0.1');
    // Lone surrogates stay distinct (a UTF-8 encoding would make both U+FFFD).
    for (let i = 0; i < 5; i++) await throttle.recordFailure('\ud800', '10.0.0.1');
    await throttle.check('\ud801', '10.0.0.1');
    await throttle.check('\ufffd', '10.0.0.1');
  });

  test('the backend never sees a username', async () => {
    const keys: string[] = [];
    const backend = new MemoryThrottleBackend();
    const spy = Object.assign(Object.create(backend), {
      record: (key: string, ...rest: [number, number, number]) => {
        keys.push(key);
        return backend.record(key, ...rest);
      },
    });
    await new LoginThrottle({ backend: spy }).recordFailure('alice-the-admin', '10.0.0.1');
    assert.equal(keys.length, 3);
    assert.ok(
      keys.every((key) => !key.includes('alice')),
      keys.join(' '),
    );
  });

  test('each limit can be switched off; with all off nothing is refused', async () => {
    const { throttle } = setUp({ perUserAndAddress: null, perUser: null, perAddress: null });
    for (let i = 0; i < 100; i++) await throttle.recordFailure('alice', '10.0.0.1');
    await throttle.check('alice', '10.0.0.1');
    const onlyPair = setUp({ perUser: null, perAddress: null });
    for (let i = 0; i < 100; i++) await onlyPair.throttle.recordFailure(`u${i}`, '10.0.0.1');
    await onlyPair.throttle.check('new', '10.0.0.1');
  });

  test('the longest wait of the refusing limits is the one reported', async () => {
    const { throttle, clock } = setUp({ perUserAndAddress: '1/min', perUser: '2/hour' });
    await throttle.recordFailure('alice', '10.0.0.1');
    clock.advance(10 * MINUTE);
    await throttle.recordFailure('alice', '10.0.0.2');
    clock.advance(1000);
    // Pair (10.0.0.2): 59 s; per user: the first failure leaves the hour in 49m59s.
    const error = await refusal(throttle.check('alice', '10.0.0.2'));
    assert.equal(error.wait, 50 * 60 - 1);
  });
});
