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
    const backend = await prefixes.open();
    const admin = await adminClient();
    try {
      await backend.hit('flushed', T0, 2, 60_000);
      await admin.script('FLUSH');
      assert.equal((await backend.hit('flushed', T0, 2, 60_000)).allowed, true);
      await admin.script('FLUSH');
      assert.equal((await backend.peek('flushed', T0, 2, 60_000)).allowed, false);
      await admin.script('FLUSH');
      await backend.record('flushed', T0, 2, 60_000);
    } finally {
      admin.disconnect();
      await backend.close();
    }
  });

  test('after the connection is gone, a command fails with 503, never a silent pass', async () => {
    const backend = await prefixes.open();
    await backend.close();
    await assert.rejects(backend.hit('closed', T0, 1, 60_000), ServiceUnavailable);
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
