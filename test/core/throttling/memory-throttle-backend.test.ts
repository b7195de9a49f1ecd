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
    await backend.record('kept', T0, 2, MINUTE); // written again: now the most recent
    for (let i = 99; i < 150; i++) await backend.hit(`k${i}`, T0, 1, MINUTE);
    assert.equal(backend.size, 100);
    assert.equal((await backend.peek('kept', T0, 2, MINUTE)).allowed, false);
    assert.equal((await backend.hit('k0', T0, 1, MINUTE)).allowed, true, 'k0 was evicted');
  });

  test('refuses a maxKeys that is not a positive integer', () => {
    assert.throws(() => new MemoryThrottleBackend({ maxKeys: 0 }), RangeError);
  });
});
