import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { clientAddressResolver } from '../../../src/core/auth/client-address.js';
import { IsAuthenticated } from '../../../src/core/auth/permissions.js';
import { defineView, type View } from '../../../src/core/http/view.js';
import { ScopedRateThrottle } from '../../../src/core/throttling/scoped-rate-throttle.js';
import type { SimpleRateThrottleOptions } from '../../../src/core/throttling/simple-rate-throttle.js';
import type { Throttle } from '../../../src/core/throttling/throttle.js';
import type { ThrottleBackend } from '../../../src/core/throttling/throttle-backend.js';
import { UserRateThrottle } from '../../../src/core/throttling/user-rate-throttle.js';
import { ManualClock } from '../../../src/core/time/clock.js';
import type { BackendFactory } from './backend-factory.js';
import { call, type FakeRequestInit, headerUserAuthenticator } from './throttle-fixtures.js';

const SECOND = 1000;

/**
 * DRF's `tests/test_throttling.py` view tests (ThrottlingTests, ScopedRateThrottleTests, the
 * X-Forwarded-For tests), with a manual clock for DRF's patched timer, on one backend kind.
 */
export function runDrfThrottlingCases(factory: BackendFactory): void {
  describe(`DRF test_throttling.py: ${factory.name}`, () => {
    const opened: ThrottleBackend[] = [];
    let backend: ThrottleBackend;
    let clock: ManualClock;
    // DRF's setUp: cache.clear() and a timer at 0.
    beforeEach(async () => {
      backend = await factory.open();
      opened.push(backend);
      clock = new ManualClock(0);
    });
    after(async () => {
      for (const each of opened) await each.close();
    });

    const options = (extra: Partial<SimpleRateThrottleOptions> & { scope?: string } = {}) => ({
      backend,
      clock,
      ...extra,
    });
    // DRF's User3SecRateThrottle, User3MinRateThrottle, User6MinRateThrottle.
    const user3Sec = () => new UserRateThrottle(options({ rate: '3/sec', scope: 'seconds' }));
    const user3Min = () => new UserRateThrottle(options({ rate: '3/min', scope: 'minutes' }));
    const user6Min = () => new UserRateThrottle(options({ rate: '6/min', scope: 'minutes' }));
    const mockView = (...throttles: Throttle[]): View =>
      defineView({
        authentication: [headerUserAuthenticator],
        throttles,
        get: () => ({ data: 'foo' }),
      });
    const statuses = async (view: View, count: number, init: FakeRequestInit = {}) => {
      const result: number[] = [];
      for (let i = 0; i < count; i++) result.push((await call(view, init)).status);
      return result;
    };

    test('test_requests_are_throttled: the fourth request at 3/sec gets 429', async () => {
      assert.deepEqual(await statuses(mockView(user3Sec()), 4), [200, 200, 200, 429]);
    });

    test('test_request_throttling_expires: one second later it is allowed again', async () => {
      const view = mockView(user3Sec());
      assert.equal((await statuses(view, 4)).at(-1), 429);
      clock.set(1 * SECOND);
      assert.equal((await call(view)).status, 200);
    });

    test('test_request_throttling_is_per_user', async () => {
      const view = mockView(user3Sec());
      await statuses(view, 3, { headers: { 'x-user': '1' } });
      assert.equal((await call(view, { headers: { 'x-user': '2' } })).status, 200);
      assert.equal((await call(view, { headers: { 'x-user': '1' } })).status, 429);
    });

    test('test_request_throttling_multiple_throttles: every throttle sees each request', async () => {
      const view = mockView(user3Sec(), user6Min());
      const last = async (count: number) => {
        let response = await call(view);
        for (let i = 1; i < count; i++) response = await call(view);
        return response;
      };
      let response = await last(4);
      assert.equal(response.status, 429);
      assert.equal(response.headers['retry-after'], '1');
      clock.set(1 * SECOND);
      assert.deepEqual(await statuses(view, 2), [200, 200]);
      response = await call(view);
      assert.equal(response.status, 429);
      assert.equal(response.headers['retry-after'], '59');
      clock.set(2 * SECOND);
      response = await call(view);
      assert.equal(response.status, 429);
      assert.equal(response.headers['retry-after'], '58');
    });

    test('test_throttle_rate_change_negative: Retry-After stays 60 after the rate drops', async () => {
      const view = mockView(user3Sec(), user6Min());
      let response = await call(view);
      for (let i = 1; i < 24; i++) response = await call(view);
      assert.equal(response.status, 429);
      assert.equal(response.headers['retry-after'], '60');
      // The same scope (so the same log) at a lower rate: its wait is None, 6/min decides.
      const lowered = mockView(
        new UserRateThrottle(options({ rate: '1/sec', scope: 'seconds' })),
        user6Min(),
      );
      for (let i = 0; i < 24; i++) response = await call(lowered);
      assert.equal(response.status, 429);
      assert.equal(response.headers['retry-after'], '60');
    });

    const retryAfters = async (
      view: View,
      steps: readonly (readonly [number, string | undefined])[],
    ) => {
      for (const [seconds, expected] of steps) {
        clock.set(seconds * SECOND);
        const response = await call(view);
        assert.equal(response.headers['retry-after'], expected, `at t=${seconds}`);
      }
    };

    test('test_seconds_fields: no Retry-After three times, then 1', async () => {
      await retryAfters(mockView(user3Sec()), [
        [0, undefined],
        [0, undefined],
        [0, undefined],
        [0, '1'],
      ]);
    });

    test('test_minutes_fields: no Retry-After three times, then 60', async () => {
      await retryAfters(mockView(user3Min()), [
        [0, undefined],
        [0, undefined],
        [0, undefined],
        [0, '60'],
      ]);
    });

    test('test_next_rate_remains_constant_if_followed: 3/min every 20 s is never throttled', async () => {
      await retryAfters(mockView(user3Min()), [
        [0, undefined],
        [20, undefined],
        [40, undefined],
        [60, undefined],
        [80, undefined],
      ]);
    });

    test('test_non_time_throttle: a refusal without a wait has no Retry-After', async () => {
      let called = false;
      const nonTime: Throttle = {
        async allowRequest() {
          if (called) return { allowed: false, wait: null };
          called = true;
          return { allowed: true, wait: null };
        },
      };
      const view = mockView(nonTime);
      const first = await call(view);
      assert.equal(first.headers['retry-after'], undefined);
      assert.equal(called, true);
      const second = await call(view);
      assert.equal(second.status, 429);
      assert.equal(second.headers['retry-after'], undefined);
      assert.equal(second.body, '{"detail":"Request was throttled."}');
    });

    test('spec §5: anonymous 2/min, the third gets DRF’s exact 429', async () => {
      const view = mockView(new UserRateThrottle(options({ rate: '2/min' })));
      await statuses(view, 2);
      const response = await call(view);
      assert.equal(response.status, 429);
      assert.equal(response.headers['retry-after'], '60');
      assert.equal(response.headers['content-type'], 'application/json');
      assert.equal(
        response.body,
        '{"detail":"Request was throttled. Expected available in 60 seconds."}',
      );
    });

    test('a wait of one second reads "1 second."', async () => {
      const view = mockView(user3Sec());
      const responses = [];
      for (let i = 0; i < 4; i++) responses.push(await call(view));
      assert.equal(
        responses[3]?.body,
        '{"detail":"Request was throttled. Expected available in 1 second."}',
      );
    });

    test('throttles run after permissions (a denied request is neither throttled nor counted)', async () => {
      const view = defineView({
        authentication: [headerUserAuthenticator],
        permissions: [IsAuthenticated],
        throttles: [new UserRateThrottle(options({ rate: '1/min' }))],
        post: () => {},
      });
      assert.deepEqual(await statuses(view, 3, { method: 'POST' }), [403, 403, 403]);
      const user = { method: 'POST', headers: { 'x-user': '5' } };
      assert.deepEqual(await statuses(view, 2, user), [200, 429]);
    });

    test('throttles run before the method check: a throttled request gets 429, not 405', async () => {
      const view = mockView(new UserRateThrottle(options({ rate: '1/min' })));
      assert.equal((await call(view, { method: 'POST' })).status, 405);
      const response = await call(view, { method: 'POST' });
      assert.equal(response.status, 429);
      assert.equal(response.headers.allow, 'GET, HEAD, OPTIONS');
    });

    describe('ScopedRateThrottleTests', () => {
      const scopedView = (scope?: string) =>
        defineView({
          throttles: [new ScopedRateThrottle(options({ rates: { x: '3/min', y: '1/min' } }))],
          ...(scope ? { throttleScope: scope } : {}),
          get: () => ({ data: scope ?? 'y' }),
        });
      const tick = (seconds = 1) => clock.advance(seconds * SECOND);

      test('test_scoped_rate_throttle', async () => {
        const x = scopedView('x');
        const y = scopedView('y');
        for (let round = 0; round < 2; round++) {
          const seen: number[] = [];
          seen.push((await call(x)).status);
          tick();
          seen.push((await call(x)).status);
          tick();
          seen.push((await call(x)).status);
          tick();
          seen.push((await call(x)).status);
          tick();
          seen.push((await call(y)).status);
          tick();
          seen.push((await call(y)).status);
          assert.deepEqual(seen, [200, 200, 200, 429, 200, 429], `round ${round}`);
          // DRF: "advancing the rest of the minute".
          tick(55);
        }
      });

      test('test_unscoped_view_not_throttled', async () => {
        const view = scopedView();
        for (let i = 0; i < 10; i++) {
          tick();
          assert.equal((await call(view)).status, 200);
        }
      });

      test('a scope missing from the rates is ImproperlyConfigured at request time', async () => {
        const response = await call(scopedView('z'));
        assert.equal(response.status, 500);
      });
    });

    describe('X-Forwarded-For (IdWithXffBasicTests, XffSpoofingTests, XffUniqueMachinesTest)', () => {
      const xffView = (numProxies: number | null) =>
        defineView({
          throttles: [
            new ScopedRateThrottle(
              options({
                rates: { test_limit: '1/day' },
                clientAddress: clientAddressResolver({ numProxies }),
              }),
            ),
          ],
          throttleScope: 'test_limit',
          get: () => ({ data: 'test_limit' }),
        });
      const from = (xff: string) => ({
        remoteAddress: '3.3.3.3',
        headers: { 'x-forwarded-for': xff },
      });
      const original = from('0.0.0.0, 1.1.1.1, 2.2.2.2');

      test('NUM_PROXIES=0: accepts under the limit, denies over it', async () => {
        const view = xffView(0);
        assert.equal((await call(view, original)).status, 200);
        assert.equal((await call(view, original)).status, 429);
      });

      test('spoofing does not change the ident with one proxy', async () => {
        const view = xffView(1);
        await call(view, original);
        assert.equal((await call(view, from('4.4.4.4, 5.5.5.5, 2.2.2.2'))).status, 429);
      });

      test('spoofing does not change the ident with two proxies', async () => {
        const view = xffView(2);
        await call(view, original);
        assert.equal((await call(view, from('4.4.4.4, 1.1.1.1, 2.2.2.2'))).status, 429);
      });

      test('unique clients are counted independently with one proxy', async () => {
        const view = xffView(1);
        await call(view, original);
        assert.equal((await call(view, from('0.0.0.0, 1.1.1.1, 7.7.7.7'))).status, 200);
      });

      test('unique clients are counted independently with two proxies', async () => {
        const view = xffView(2);
        await call(view, original);
        assert.equal((await call(view, from('0.0.0.0, 7.7.7.7, 2.2.2.2'))).status, 200);
      });

      test('tessera: without NUM_PROXIES the header is ignored (DRF would trust all of it)', async () => {
        const view = xffView(null);
        await call(view, original);
        assert.equal((await call(view, from('9.9.9.9'))).status, 429);
        assert.equal(
          (await call(view, { ...from('9.9.9.9'), remoteAddress: '3.3.3.4' })).status,
          200,
        );
      });
    });
  });
}
