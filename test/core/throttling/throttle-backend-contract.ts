import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ThrottleBackend,
  WindowLimit,
} from '../../../src/core/throttling/throttle-backend.js';
import type { BackendFactory } from './backend-factory.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

/**
 * What every `ThrottleBackend` must do, run unchanged against each one (memory, Redis): DRF's
 * sliding log for `hit`, the atomic `reserve`, `keep` and `release` of the failure limits, and the
 * remembered sets of known addresses.
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

    const window = (key: string, limit: number, durationMs = MINUTE) => ({
      key,
      limit,
      durationMs,
    });

    /** Reserves and keeps: one failure at `now` in each window. */
    const fail = async (limits: WindowLimit[], now: number) => {
      const reservation = await backend.reserve(limits, now);
      assert.ok(reservation.allowed, `refused at ${now - T0}`);
      await backend.keep(reservation);
    };

    test('reserve holds in every window at once, or in none when one is full', async () => {
      const [a, b] = [fresh(), fresh()];
      await fail([window(a, 2), window(b, 1)], T0);
      // b is full of failures: nothing is held in a either.
      assert.deepEqual(await backend.reserve([window(a, 2), window(b, 1)], T0 + 1000), {
        allowed: false,
        wait: 59,
      });
      await fail([window(a, 2)], T0 + 2000);
      assert.equal((await backend.reserve([window(a, 2)], T0 + 3000)).allowed, false);
    });

    test('a refusal waits until every window full of failures has room', async () => {
      const [a, b] = [fresh(), fresh()];
      await fail([window(a, 1, MINUTE)], T0);
      await fail([window(b, 2, 10 * MINUTE)], T0 + 1000);
      await fail([window(b, 2, 10 * MINUTE)], T0 + 5000);
      // a frees at T0 + 60 s; b when its first failure leaves, at T0 + 601 s.
      assert.deepEqual(
        await backend.reserve([window(a, 1, MINUTE), window(b, 2, 10 * MINUTE)], T0 + 10_000),
        { allowed: false, wait: 591 },
      );
      assert.deepEqual(await backend.reserve([window(fresh(), 0)], T0), {
        allowed: false,
        wait: null,
      });
    });

    test('attempts in flight fill a window as `busy`; released, they never count', async () => {
      const key = fresh();
      const first = await backend.reserve([window(key, 2)], T0);
      const second = await backend.reserve([window(key, 2)], T0 + 1000);
      assert.ok(first.allowed && second.allowed);
      assert.deepEqual(await backend.reserve([window(key, 2)], T0 + 2000), {
        allowed: false,
        wait: null,
        busy: true,
      });
      await backend.release(second);
      await backend.keep(first);
      const third = await backend.reserve([window(key, 2)], T0 + 3000);
      assert.ok(third.allowed);
      await backend.release(third);
      await fail([window(key, 2)], T0 + 4000);
      // Two failures (at 0 s and 4 s): full until the first leaves.
      assert.deepEqual(await backend.reserve([window(key, 2)], T0 + 5000), {
        allowed: false,
        wait: 55,
      });
      assert.equal((await backend.reserve([window(key, 2)], T0 + MINUTE)).allowed, true);
    });

    test('a failure counts from the instant reserved, and leaves its window from there', async () => {
      const key = fresh();
      const reservation = await backend.reserve([window(key, 1)], T0);
      assert.ok(reservation.allowed);
      await backend.keep(reservation);
      assert.deepEqual(await backend.reserve([window(key, 1)], T0 + 30_000), {
        allowed: false,
        wait: 30,
      });
      assert.equal((await backend.reserve([window(key, 1)], T0 + MINUTE)).allowed, true);
    });

    test('an attempt in flight leaves with its window if never ended', async () => {
      const key = fresh();
      assert.ok((await backend.reserve([window(key, 1)], T0)).allowed);
      assert.equal((await backend.reserve([window(key, 1)], T0 + MINUTE - 1)).allowed, false);
      assert.equal((await backend.reserve([window(key, 1)], T0 + MINUTE)).allowed, true);
    });

    test('reservations in the same millisecond end one at a time', async () => {
      const key = fresh();
      const [a, b] = await Promise.all([
        backend.reserve([window(key, 2)], T0),
        backend.reserve([window(key, 2)], T0),
      ]);
      assert.ok(a?.allowed && b?.allowed);
      await backend.keep(a);
      assert.equal((await backend.reserve([window(key, 2)], T0)).allowed, false);
      await backend.release(b);
      assert.equal((await backend.reserve([window(key, 2)], T0)).allowed, true);
    });

    test('many concurrent reservations over several windows never pass any limit', async () => {
      const [a, b] = [fresh(), fresh()];
      const decisions = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          backend.reserve(i % 2 === 0 ? [window(a, 7), window(b, 9)] : [window(b, 9)], T0),
        ),
      );
      const allowed = decisions.filter((decision) => decision.allowed).length;
      assert.equal(allowed, 9);
    });

    test('remember keeps the most recent members, each for its ttl', async () => {
      const key = fresh();
      for (let i = 0; i < 4; i++)
        await backend.remember(key, `m${i}`, T0 + i, { max: 3, ttlMs: MINUTE });
      assert.equal(await backend.isRemembered(key, 'm0', T0 + 10, MINUTE), false);
      assert.equal(await backend.isRemembered(key, 'm1', T0 + 10, MINUTE), true);
      assert.equal(await backend.isRemembered(key, 'm3', T0 + 10, MINUTE), true);
      // Added again, m1 is the most recent: m2 goes when m4 comes.
      await backend.remember(key, 'm1', T0 + 20, { max: 3, ttlMs: MINUTE });
      await backend.remember(key, 'm4', T0 + 30, { max: 3, ttlMs: MINUTE });
      assert.equal(await backend.isRemembered(key, 'm2', T0 + 40, MINUTE), false);
      assert.equal(await backend.isRemembered(key, 'm1', T0 + 40, MINUTE), true);
      assert.equal(await backend.isRemembered(key, 'm3', T0 + 3 + MINUTE, MINUTE), false);
      assert.equal(await backend.isRemembered(key, 'm1', T0 + 19 + MINUTE, MINUTE), true);
      assert.equal(await backend.isRemembered(key, 'm1', T0 + 20 + MINUTE, MINUTE), false);
      assert.equal(await backend.isRemembered(fresh(), 'm1', T0, MINUTE), false);
    });

    test('keys of any length are kept apart', async () => {
      const long = `${fresh()}_${'x'.repeat(20_000)}`;
      await backend.hit(`${long}a`, T0, 1, MINUTE);
      assert.equal((await backend.hit(`${long}a`, T0, 1, MINUTE)).allowed, false);
      assert.equal((await backend.hit(`${long}b`, T0, 1, MINUTE)).allowed, true);
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
