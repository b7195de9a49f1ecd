import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryThrottleBackend } from '../../../src/core/throttling/memory-throttle-backend.js';
import { runThrottleBackendContract } from './throttle-backend-contract.js';

runThrottleBackendContract({ name: 'memory', open: async () => new MemoryThrottleBackend() });

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

describe('MemoryThrottleBackend: bounded memory', () => {
  test('keys whose whole log has expired are swept', async () => {
    const backend = new MemoryThrottleBackend({ sweepIntervalMs: MINUTE });
    for (let i = 0; i < 1000; i++) await backend.hit(`ip_${i}`, T0, 5, MINUTE);
    assert.equal(backend.size, 1000);
    // One key still in use keeps its log; the thousand idle ones go at the next sweep.
    await backend.hit('busy', T0 + MINUTE, 5, MINUTE);
    assert.equal(backend.size, 1);
  });

  test('a key still inside its window survives the sweep', async () => {
    const backend = new MemoryThrottleBackend({ sweepIntervalMs: 1000 });
    await backend.hit('a', T0, 1, 10 * MINUTE);
    await backend.hit('b', T0 + 2 * MINUTE, 1, MINUTE);
    assert.equal(backend.size, 2);
    assert.equal((await backend.hit('a', T0 + 2 * MINUTE, 1, 10 * MINUTE)).allowed, false);
  });

  test('at most maxKeys are kept; the least recently written go first', async () => {
    const backend = new MemoryThrottleBackend({ maxKeys: 100 });
    await backend.hit('kept', T0, 1, MINUTE);
    for (let i = 0; i < 99; i++) await backend.hit(`k${i}`, T0, 1, MINUTE);
    const kept = [{ key: 'kept', limit: 2, durationMs: MINUTE }];
    const failure = await backend.reserve(kept, T0);
    assert.ok(failure.allowed);
    await backend.keep(failure); // written again: now the most recent
    for (let i = 99; i < 150; i++) await backend.hit(`k${i}`, T0, 1, MINUTE);
    assert.equal(backend.size, 100);
    assert.equal((await backend.reserve(kept, T0)).allowed, false);
    assert.equal((await backend.hit('k0', T0, 1, MINUTE)).allowed, true, 'k0 was evicted');
  });

  test('at most maxBytes are kept, and a key is never longer than 200 characters', async () => {
    const backend = new MemoryThrottleBackend({ maxBytes: 100_000 });
    for (let i = 0; i < 2000; i++) {
      await backend.hit(`throttle_anon_${i}_${'x'.repeat(15_000)}`, T0, 5, MINUTE);
      assert.ok(backend.bytes <= 100_000, `${backend.bytes} bytes`);
    }
    // About 700 bytes a key: 142 fit.
    assert.ok(backend.size > 100 && backend.size < 200, `${backend.size} keys`);
  });

  test('known-address sets are bounded too', async () => {
    const backend = new MemoryThrottleBackend({ maxKeys: 10 });
    for (let i = 0; i < 50; i++)
      await backend.remember(`known_${i}`, '10.0.0.1', T0, { max: 10, ttlMs: MINUTE });
    assert.equal(backend.size, 10);
    assert.equal(await backend.isRemembered('known_49', '10.0.0.1', T0, MINUTE), true);
    assert.equal(await backend.isRemembered('known_0', '10.0.0.1', T0, MINUTE), false);
  });

  test('a reservation released at once leaves the bytes as they were', async () => {
    const backend = new MemoryThrottleBackend();
    const limits = [{ key: 'tessera_key_guess_10.0.0.1', limit: 60, durationMs: MINUTE }];
    const first = await backend.reserve(limits, T0);
    assert.ok(first.allowed);
    await backend.release(first);
    const bytes = backend.bytes;
    for (let i = 0; i < 1000; i++) {
      const reservation = await backend.reserve(limits, T0 + i);
      assert.ok(reservation.allowed);
      await backend.release(reservation);
    }
    assert.equal(backend.bytes, bytes);
    assert.equal(backend.size, 1);
  });

  test('refuses a maxKeys or maxBytes that is not a positive integer', () => {
    assert.throws(() => new MemoryThrottleBackend({ maxKeys: 0 }), RangeError);
    assert.throws(() => new MemoryThrottleBackend({ maxBytes: 1.5 }), RangeError);
  });
});
