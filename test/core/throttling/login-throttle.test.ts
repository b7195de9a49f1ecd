import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Throttled } from '../../../src/core/errors.js';
import {
  DEFAULT_LOGIN_FAILURE_RATES,
  LoginThrottle,
} from '../../../src/core/throttling/login-throttle.js';
import { MemoryThrottleBackend } from '../../../src/core/throttling/memory-throttle-backend.js';
import type {
  ThrottleBackend,
  WindowLimit,
} from '../../../src/core/throttling/throttle-backend.js';
import { ManualClock } from '../../../src/core/time/clock.js';

const MINUTE = 60_000;

function setUp(
  rates: Partial<Record<'perUserAndAddress' | 'perUser' | 'perAddress', string | null>> & {
    knownAddresses?: { max: number; ttlMs: number };
  } = {},
) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const backend = new MemoryThrottleBackend();
  return { clock, backend, throttle: new LoginThrottle({ backend, clock, ...rates }) };
}

async function refusal(promise: Promise<unknown>): Promise<Throttled> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Throttled);
    return error;
  }
  assert.fail('expected Throttled');
}

/** One attempt that fails: it counts. */
async function fail(throttle: LoginThrottle, username: string, address: string): Promise<void> {
  await (await throttle.reserve(username, address)).failed();
}

/** One attempt that succeeds: its reservation is released and the address remembered. */
async function succeed(throttle: LoginThrottle, username: string, address: string): Promise<void> {
  await (await throttle.reserve(username, address)).succeeded();
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
      await fail(throttle, 'alice', '10.0.0.1');
      clock.advance(1000);
    }
    const error = await refusal(throttle.reserve('alice', '10.0.0.1'));
    // The first failure (5 s ago) leaves the window in 55 s.
    assert.equal(error.wait, 55);
    assert.equal(error.detail, 'Request was throttled. Expected available in 55 seconds.');
    // The same user elsewhere, and someone else here, are not refused.
    await succeed(throttle, 'alice', '10.0.0.2');
    await succeed(throttle, 'bob', '10.0.0.1');
    clock.advance(55_000);
    await succeed(throttle, 'alice', '10.0.0.1');
  });

  test('successes are taken back: never counted, however many', async () => {
    const { throttle } = setUp();
    for (let i = 0; i < 100; i++) await succeed(throttle, 'alice', '10.0.0.1');
    for (let i = 0; i < 5; i++) await fail(throttle, 'alice', '10.0.0.1');
    await refusal(throttle.reserve('alice', '10.0.0.1'));
  });

  test('an abandoned attempt is taken back too', async () => {
    const { throttle } = setUp({ perUserAndAddress: '1/min' });
    for (let i = 0; i < 10; i++) await (await throttle.reserve('alice', '10.0.0.1')).abandoned();
    await fail(throttle, 'alice', '10.0.0.1');
    await refusal(throttle.reserve('alice', '10.0.0.1'));
  });

  test('attempts in flight hold their place: the sixth waits for one of them to end', async () => {
    const { throttle } = setUp();
    const first = await Promise.all(
      Array.from({ length: 5 }, () => throttle.reserve('alice', '10.0.0.1')),
    );
    let sixth: 'waiting' | 'reserved' | 'refused' = 'waiting';
    const pending = throttle.reserve('alice', '10.0.0.1').then(
      () => {
        sixth = 'reserved';
      },
      () => {
        sixth = 'refused';
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sixth, 'waiting');
    // One right password: its place frees, and the sixth gets it.
    await first[0]?.succeeded();
    await pending;
    assert.equal(sixth, 'reserved');
    // Five failures now fill the window: a seventh is refused at once.
    for (const attempt of first.slice(1)) await attempt.failed();
    await refusal(throttle.reserve('alice', '10.0.0.1'));
  });

  test('attempts in flight that never end are waited for a second at most, then 429', async () => {
    const { throttle } = setUp({ perUserAndAddress: '1/min' });
    await throttle.reserve('alice', '10.0.0.1');
    const error = await refusal(throttle.reserve('alice', '10.0.0.1'));
    assert.equal(error.wait, 1);
  });

  test('the per-user ceiling counts failures from every address it does not know', async () => {
    const { throttle } = setUp();
    for (let i = 0; i < 20; i++) await fail(throttle, 'alice', `10.0.1.${i}`);
    await refusal(throttle.reserve('alice', '10.0.9.9'));
    await succeed(throttle, 'bob', '10.0.9.9');
  });

  test('an address the user logged in from is not refused by the per-user ceiling', async () => {
    const { throttle, clock } = setUp();
    await succeed(throttle, 'alice', '10.0.0.1');
    for (let i = 0; i < 20; i++) await fail(throttle, 'alice', `10.0.1.${i}`);
    await refusal(throttle.reserve('alice', '10.0.9.9'));
    await succeed(throttle, 'alice', '10.0.0.1');
    // Failures from the known address do not count per user, but do per (user, address).
    for (let i = 0; i < 5; i++) await fail(throttle, 'alice', '10.0.0.1');
    await refusal(throttle.reserve('alice', '10.0.0.1'));
    // Known for 30 days after the last login.
    clock.advance(30 * 86_400_000);
    for (let i = 0; i < 20; i++) await fail(throttle, 'alice', `10.0.2.${i}`);
    await refusal(throttle.reserve('alice', '10.0.0.1'));
  });

  test('known addresses can be switched off', async () => {
    const { throttle } = setUp({ knownAddresses: { max: 0, ttlMs: 1 } });
    await succeed(throttle, 'alice', '10.0.0.1');
    for (let i = 0; i < 20; i++) await fail(throttle, 'alice', `10.0.1.${i}`);
    await refusal(throttle.reserve('alice', '10.0.0.1'));
  });

  test('the per-address ceiling counts failures for every username', async () => {
    const { throttle } = setUp();
    for (let i = 0; i < 30; i++) await fail(throttle, `user${i}`, '10.0.0.7');
    await refusal(throttle.reserve('someone-new', '10.0.0.7'));
    await succeed(throttle, 'someone-new', '10.0.0.8');
  });

  test('usernames count exactly as sent: no case folding, no normalisation', async () => {
    const { throttle } = setUp();
    for (let i = 0; i < 5; i++) await fail(throttle, 'alice', '10.0.0.1');
    await refusal(throttle.reserve('alice', '10.0.0.1'));
    await succeed(throttle, 'Alice', '10.0.0.1');
    await succeed(throttle, 'alice ', '10.0.0.1');
    // Lone surrogates stay distinct (a UTF-8 encoding would make both U+FFFD).
    for (let i = 0; i < 5; i++) await fail(throttle, '\ud800', '10.0.0.2');
    await succeed(throttle, '\ud801', '10.0.0.2');
    await succeed(throttle, '\ufffd', '10.0.0.2');
  });

  test('the backend never sees a username', async () => {
    const keys: string[] = [];
    const backend = new MemoryThrottleBackend();
    const spy: ThrottleBackend = {
      hit: (...args) => backend.hit(...args),
      reserve: (limits: readonly WindowLimit[], now: number) => {
        keys.push(...limits.map(({ key }) => key));
        return backend.reserve(limits, now);
      },
      release: (reservation) => backend.release(reservation),
      keep: (reservation) => backend.keep(reservation),
      remember: (key, ...rest) => {
        keys.push(key);
        return backend.remember(key, ...rest);
      },
      isRemembered: (key, ...rest) => {
        keys.push(key);
        return backend.isRemembered(key, ...rest);
      },
      close: () => backend.close(),
    };
    await succeed(new LoginThrottle({ backend: spy }), 'alice-the-admin', '10.0.0.1');
    assert.equal(keys.length, 5);
    assert.ok(
      keys.every((key) => !key.includes('alice')),
      keys.join(' '),
    );
  });

  test('each limit can be switched off; with all off nothing is refused', async () => {
    const { throttle } = setUp({ perUserAndAddress: null, perUser: null, perAddress: null });
    for (let i = 0; i < 100; i++) await fail(throttle, 'alice', '10.0.0.1');
    await succeed(throttle, 'alice', '10.0.0.1');
    const onlyPair = setUp({ perUser: null, perAddress: null });
    for (let i = 0; i < 100; i++) await fail(onlyPair.throttle, `u${i}`, '10.0.0.1');
    await succeed(onlyPair.throttle, 'new', '10.0.0.1');
  });

  test('the longest wait of the refusing limits is the one reported', async () => {
    const { throttle, clock } = setUp({ perUserAndAddress: '1/min', perUser: '2/hour' });
    await fail(throttle, 'alice', '10.0.0.1');
    clock.advance(10 * MINUTE);
    await fail(throttle, 'alice', '10.0.0.2');
    clock.advance(1000);
    // Pair (10.0.0.2): 59 s; per user: the first failure leaves the hour in 49m59s.
    const error = await refusal(throttle.reserve('alice', '10.0.0.2'));
    assert.equal(error.wait, 50 * 60 - 1);
  });
});
