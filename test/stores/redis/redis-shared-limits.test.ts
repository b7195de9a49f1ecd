import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { generateKey } from '../../../src/core/tokens/key-format.js';
import { AbuseServer } from '../../server/abuse-server.js';
import { adminClient, REDIS_TEST_URL } from './redis-test-server.js';

// Each test is its own client (a random IP behind one trusted proxy, a random username), so
// runs sharing the Redis never count each other's requests.
const randomIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const written: string[] = [];
after(async () => {
  if (written.length === 0) return;
  const admin = await adminClient();
  try {
    for (const pattern of written) {
      const keys = await admin.keys(pattern);
      if (keys.length > 0) await admin.del(...keys);
    }
  } finally {
    admin.disconnect();
  }
});

describe('REDIS_URL: every node counts the limits together', () => {
  test('failed token authentications on two nodes add up', async () => {
    const settings = { redisUrl: REDIS_TEST_URL, numProxies: 1, keyFailuresPerIp: '3/min' };
    const [a, b] = await Promise.all([
      AbuseServer.start({ settings }),
      AbuseServer.start({ settings }),
    ]);
    const ip = randomIp();
    written.push(`tessera:tessera_key_guess_${ip}`);
    try {
      assert.equal((await a.trigger(`Token ${generateKey()}`, ip)).status, 401);
      assert.equal((await b.trigger(`Token ${generateKey()}`, ip)).status, 401);
      assert.equal((await a.trigger(`Token ${generateKey()}`, ip)).status, 401);
      const fourth = await b.trigger(`Token ${generateKey()}`, ip);
      assert.equal(fourth.status, 429);
      assert.equal(fourth.headers['retry-after'], '60');
      // Another client of the same nodes is not affected.
      assert.equal((await b.trigger(`Token ${generateKey()}`, randomIp())).status, 401);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('failed logins on two nodes add up', async () => {
    const settings = { redisUrl: REDIS_TEST_URL, numProxies: 1, loginFailuresPerUserIp: '2/min' };
    const [a, b] = await Promise.all([
      AbuseServer.start({ settings }),
      AbuseServer.start({ settings }),
    ]);
    const ip = randomIp();
    const username = `user_${randomBytes(6).toString('hex')}`;
    written.push(`tessera:tessera_login_*${ip}`);
    try {
      assert.equal((await a.login(username, 'nope', ip)).status, 400);
      assert.equal((await b.login(username, 'nope', ip)).status, 400);
      assert.equal((await a.login(username, 'nope', ip)).status, 429);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a REDIS_URL that does not answer stops the server from starting', async () => {
    await assert.rejects(
      AbuseServer.start({ settings: { redisUrl: 'redis://127.0.0.1:1' } }),
      /^Error: Redis at 127\.0\.0\.1:1 did not answer/,
    );
  });
});
