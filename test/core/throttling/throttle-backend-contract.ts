import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ThrottleBackend } from '../../../src/core/throttling/throttle-backend.js';
import type { BackendFactory } from './backend-factory.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

/**
 * What every `ThrottleBackend` must do, run unchanged against each one (memory, Redis): DRF's
 * sliding log for `hit`, and the failure-only `peek` and `record`.
 */
export function runThrottleBackendContract(factory: BackendFactory): void {
  describe(`ThrottleBackend contract: ${factory.name}`, () => {
    const opened: ThrottleBackend[] = [];
    let backend: ThrottleBackend;
    before(async () => {
      backend = await factory.open();
      opened.push(backend);
    });
    after(async () => {
      for (const each of opened) await each.close();
    });
    let counter = 0;
    const fresh = () => `contract_${++counter}`;

    test('hit allows `limit` requests in the window, then refuses without recording', async () => {
      const key = fresh();
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await backend.hit(key, T0 + i, 3, MINUTE), { allowed: true, wait: null });
      }
      const refused = await backend.hit(key, T0 + 10, 3, MINUTE);
      assert.equal(refused.allowed, false);
      // DRF: (60 s - (now - oldest)) / (3 - 3 + 1); the refusal was not recorded, so a second
      // refusal a little later has the same count.
      assert.equal(refused.wait, (MINUTE - 10) / 1000);
      const again = await backend.hit(key, T0 + 20, 3, MINUTE);
      assert.equal(again.wait, (MINUTE - 20) / 1000);
    });

    test('an entry leaves the window exactly when now - duration reaches it', async () => {
      const key = fresh();
      await backend.hit(key, T0, 1, MINUTE);
      assert.equal((await backend.hit(key, T0 + MINUTE - 1, 1, MINUTE)).allowed, false);
      assert.equal((await backend.hit(key, T0 + MINUTE, 1, MINUTE)).allowed, true);
    });

    test('requests in the same millisecond are counted separately', async () => {
      const key = fresh();
      for (let i = 0; i < 5; i++)
        assert.equal((await backend.hit(key, T0, 5, MINUTE)).allowed, true);
      assert.equal((await backend.hit(key, T0, 5, MINUTE)).allowed, false);
    });

    test('wait is null when a lowered limit leaves no request available (DRF #1438)', async () => {
      const key = fresh();
      for (let i = 0; i < 3; i++) await backend.hit(key, T0, 3, MINUTE);
      assert.deepEqual(await backend.hit(key, T0, 1, MINUTE), { allowed: false, wait: null });
    });

    test('a limit of 0 refuses everything, with the whole window as wait', async () => {
      assert.deepEqual(await backend.hit(fresh(), T0, 0, MINUTE), { allowed: false, wait: 60 });
    });

    test('keys are independent', async () => {
      const [a, b] = [fresh(), fresh()];
      await backend.hit(a, T0, 1, MINUTE);
      assert.equal((await backend.hit(a, T0, 1, MINUTE)).allowed, false);
      assert.equal((await backend.hit(b, T0, 1, MINUTE)).allowed, true);
    });

    test('peek never records; record always does; peek refuses at the limit', async () => {
      const key = fresh();
      for (let i = 0; i < 10; i++)
        assert.equal((await backend.peek(key, T0, 2, MINUTE)).allowed, true);
      await backend.record(key, T0, 2, MINUTE);
      assert.equal((await backend.peek(key, T0 + 1, 2, MINUTE)).allowed, true);
      await backend.record(key, T0 + 5000, 2, MINUTE);
      // Full: the first failure leaves the window at T0 + 60 s, freeing a slot.
      assert.deepEqual(await backend.peek(key, T0 + 6000, 2, MINUTE), {
        allowed: false,
        wait: 54,
      });
      assert.equal((await backend.peek(key, T0 + MINUTE, 2, MINUTE)).allowed, true);
    });

    test('record keeps only the newest `limit` entries, so the wait stays exact', async () => {
      const key = fresh();
      for (let i = 0; i < 10; i++) await backend.record(key, T0 + i * 1000, 3, MINUTE);
      // The newest three are at 7, 8 and 9 s; the count drops below 3 when the 7 s one leaves.
      assert.deepEqual(await backend.peek(key, T0 + 10_000, 3, MINUTE), {
        allowed: false,
        wait: 57,
      });
      assert.equal((await backend.peek(key, T0 + 67_000, 3, MINUTE)).allowed, true);
    });

    test('hit and record share a key’s log', async () => {
      const key = fresh();
      await backend.record(key, T0, 5, MINUTE);
      await backend.hit(key, T0, 5, MINUTE);
      await backend.record(key, T0, 5, MINUTE);
      for (let i = 0; i < 2; i++)
        assert.equal((await backend.hit(key, T0, 5, MINUTE)).allowed, true);
      assert.equal((await backend.hit(key, T0, 5, MINUTE)).allowed, false);
    });

    test('many concurrent hits never let more than the limit through', async () => {
      const key = fresh();
      const decisions = await Promise.all(
        Array.from({ length: 50 }, () => backend.hit(key, T0, 7, MINUTE)),
      );
      assert.equal(decisions.filter((decision) => decision.allowed).length, 7);
    });
  });
}
