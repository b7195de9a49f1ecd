import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ServiceUnavailable } from '../../../src/core/errors.js';
import { openRedisThrottleBackend } from '../../../src/stores/redis/index.js';
import { runDrfThrottlingCases } from '../../core/throttling/drf-throttling-cases.js';
import { runThrottleBackendContract } from '../../core/throttling/throttle-backend-contract.js';
import { adminClient, FreshRedisPrefixes, REDIS_TEST_URL } from './redis-test-server.js';

const prefixes = new FreshRedisPrefixes();
after(() => prefixes.dropAll());

runThrottleBackendContract({ name: 'Redis', open: () => prefixes.open() });
runDrfThrottlingCases({ name: 'Redis', open: () => prefixes.open() });

const T0 = Date.UTC(2026, 0, 1);

// WITHSCORES replies alternate member and score; the scores are what the test knows.
const scores = (reply: string[]) => reply.filter((_, i) => i % 2 === 1);

describe('RedisThrottleBackend', () => {
  test('one sorted set per key, under the prefix, expiring with its window', async () => {
    const prefix = prefixes.newPrefix();
    const backend = await openRedisThrottleBackend({ url: REDIS_TEST_URL, keyPrefix: prefix });
    const admin = await adminClient();
    try {
      await backend.hit('throttle_user_1', T0, 5, 60_000);
      await backend.hit('throttle_user_1', T0 + 1, 5, 60_000);
      const key = `${prefix}throttle_user_1`;
      assert.deepEqual(await admin.keys(`${prefix}*`), [key]);
      assert.equal(await admin.type(key), 'zset');
      const ttl = await admin.pttl(key);
      assert.ok(ttl > 59_000 && ttl <= 60_000, `pttl ${ttl}`);
      assert.deepEqual(await admin.zrangebyscore(key, '-inf', '+inf', 'WITHSCORES').then(scores), [
        String(T0),
        String(T0 + 1),
      ]);
    } finally {
      admin.disconnect();
      await backend.close();
    }
  });

  test('a Redis that forgot the scripts (restart, SCRIPT FLUSH) is sent them again', async () => {
    const prefix = prefixes.newPrefix();
    const backend = await openRedisThrottleBackend({ url: REDIS_TEST_URL, keyPrefix: prefix });
    const admin = await adminClient();
    try {
      await backend.hit('flushed', T0, 2, 60_000);
      await admin.script('FLUSH');
      assert.equal((await backend.hit('flushed', T0, 2, 60_000)).allowed, true);
      await admin.script('FLUSH');
      const reservation = await backend.reserve(
        [{ key: 'flushed', limit: 2, durationMs: 60_000 }],
        T0,
      );
      assert.equal(reservation.allowed, false);
      await admin.script('FLUSH');
      await backend.remember('known', '10.0.0.1', T0, { max: 10, ttlMs: 60_000 });
      await admin.script('FLUSH');
      assert.equal(await backend.isRemembered('known', '10.0.0.1', T0, 60_000), true);
      await admin.script('FLUSH');
      const other = await backend.reserve([{ key: 'other', limit: 2, durationMs: 60_000 }], T0);
      assert.ok(other.allowed);
      await admin.script('FLUSH');
      await backend.release(other);
      assert.equal(await admin.zcard(`${prefix}other`), 0);
    } finally {
      admin.disconnect();
      await backend.close();
    }
  });

  test('after the connection is gone, a command fails with 503, never a silent pass', async () => {
    const backend = await prefixes.open();
    const reservation = await backend.reserve(
      [{ key: 'closed', limit: 1, durationMs: 60_000 }],
      T0,
    );
    assert.ok(reservation.allowed);
    await backend.close();
    await assert.rejects(backend.hit('closed', T0, 1, 60_000), ServiceUnavailable);
    const limits = [{ key: 'closed', limit: 1, durationMs: 60_000 }];
    await assert.rejects(backend.reserve(limits, T0), ServiceUnavailable);
    // A release never rejects: the entry expires with its window instead.
    await backend.release(reservation);
  });

  test('an attempt in flight is a member of each window’s `:pending` set; kept, of its log', async () => {
    const prefix = prefixes.newPrefix();
    const backend = await openRedisThrottleBackend({ url: REDIS_TEST_URL, keyPrefix: prefix });
    const admin = await adminClient();
    try {
      const long = `tessera_login_address_${'x'.repeat(15_000)}`;
      const limits = [
        { key: 'a', limit: 5, durationMs: 60_000 },
        { key: long, limit: 5, durationMs: 3_600_000 },
      ];
      const released = await backend.reserve(limits, T0);
      const kept = await backend.reserve(limits, T0 + 1);
      assert.ok(released.allowed && kept.allowed);
      const keys = (await admin.keys(`${prefix}*`)).sort();
      assert.equal(keys.length, 2);
      assert.ok(keys.includes(`${prefix}a:pending`), keys.join(' '));
      assert.ok(
        keys.every((key) => key.length <= prefix.length + 200),
        keys.join(' '),
      );
      assert.equal(await admin.zcard(`${prefix}a:pending`), 2);
      await backend.release(released);
      await backend.keep(kept);
      assert.equal(await admin.zcard(`${prefix}a:pending`), 0);
      assert.deepEqual(
        await admin.zrangebyscore(`${prefix}a`, '-inf', '+inf', 'WITHSCORES').then(scores),
        [String(T0 + 1)],
      );
      const logs = (await admin.keys(`${prefix}*`)).filter((key) => !key.endsWith(':pending'));
      assert.equal(logs.length, 2);
      const longLog = logs.find((key) => key !== `${prefix}a`) as string;
      assert.ok(longLog.length <= prefix.length + 200);
      const ttl = await admin.pttl(longLog);
      assert.ok(ttl > 3_590_000, `pttl ${ttl}`);
    } finally {
      admin.disconnect();
      await backend.close();
    }
  });

  test('a Redis that does not answer fails at start-up, naming the host but no password', async () => {
    await assert.rejects(
      openRedisThrottleBackend({ url: 'redis://:hunter2@127.0.0.1:1', connectTimeoutMs: 500 }),
      (error: Error) => {
        assert.match(error.message, /^Redis at 127\.0\.0\.1:1 did not answer/);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
  });
});
