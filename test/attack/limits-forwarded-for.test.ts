import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createTessera, UNTRUSTED_FORWARDED_FOR_WARNING } from '../../src/core/tessera.js';
import { MemoryThrottleBackend } from '../../src/core/throttling/memory-throttle-backend.js';
import { generateKey } from '../../src/core/tokens/key-format.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { fakeViewRequest } from '../core/throttling/throttle-fixtures.js';
import { LimitsServer, statusCounts } from './limits-server.js';
import { inParallel, loopbackAddress } from './support/loopback-client.js';

// Finding 10: with X-Forwarded-For trusted, its entries became throttle keys whatever they held:
// 16,000 distinct 15 KB values grew the memory backend by ~280 MB. An entry that is not an IP
// literal is not trusted (the peer address counts), and the backend is bounded in bytes.

const CLIENTS = 20;
const REQUESTS = 2000;

/** A distinct ~15 KB header value: what an attacker writes when the proxy passes it on. */
const hugeForwardedFor = (i: number) => `${i}-${randomBytes(7500).toString('hex')}`;

describe('X-Forwarded-For under attack, with TESSERA_NUM_PROXIES set', () => {
  test('2,000 distinct 15 KB values from 20 clients leave the limits bounded', async () => {
    const backend = new MemoryThrottleBackend();
    const server = await LimitsServer.start({
      settings: { numProxies: 1, keyFailuresPerIp: '10/min' },
      throttleBackend: backend,
    });
    try {
      const responses = await inParallel(
        50,
        Array.from({ length: REQUESTS }, (_, i) => () => {
          const from = loopbackAddress(200 + (Math.floor(i / 2) % CLIENTS));
          return i % 2 === 0
            ? server.trigger(from, generateKey(), hugeForwardedFor(i))
            : server.login(from, `user${i}`, 'nope', hugeForwardedFor(i));
        }),
      );
      // Counted per peer: each of the 20 clients got its 10 key failures and 30 login failures.
      assert.deepEqual(statusCounts(responses), {
        400: CLIENTS * 30,
        401: CLIENTS * 10,
        429: 1200,
      });
      // Per peer: key-guess, per-address, and one pair and one username key per login tried.
      assert.ok(backend.size <= CLIENTS * 2 + 2 * CLIENTS * 30, `${backend.size} keys`);
      assert.ok(backend.bytes < 1024 * 1024, `${backend.bytes} bytes`);
    } finally {
      await server.close();
      await backend.close();
    }
  });

  test('an IP literal in X-Forwarded-For is still trusted, brackets or not', async () => {
    const server = await LimitsServer.start({
      settings: { numProxies: 1, keyFailuresPerIp: '1/min' },
    });
    try {
      const from = loopbackAddress(230);
      assert.equal((await server.trigger(from, generateKey(), '203.0.113.7')).status, 401);
      assert.equal((await server.trigger(from, generateKey(), ' 203.0.113.7 ')).status, 429);
      assert.equal((await server.trigger(from, generateKey(), '2001:db8::1')).status, 401);
      assert.equal((await server.trigger(from, generateKey(), '[2001:db8::1]')).status, 429);
      // Not an address: the peer counts, and the peer has not failed yet.
      assert.equal((await server.trigger(from, generateKey(), 'not-an-address')).status, 401);
      assert.equal((await server.trigger(from, generateKey(), '203.0.113.7:443')).status, 429);
    } finally {
      await server.close();
    }
  });
});

describe('an untrusted X-Forwarded-For entry is reported once', () => {
  test('through onWarning, without the header text', async () => {
    const store = await openSqliteStore({ filename: ':memory:' });
    const warnings: string[] = [];
    const tessera = createTessera({
      store,
      settings: { numProxies: 1 },
      onWarning: (message) => warnings.push(message),
    });
    try {
      const secretish = `x-${randomBytes(8).toString('hex')}`;
      for (const forwardedFor of [secretish, '203.0.113.1', 'also bad']) {
        tessera.clientAddress(
          fakeViewRequest({
            remoteAddress: '127.0.0.9',
            headers: { 'x-forwarded-for': forwardedFor },
          }),
        );
      }
      assert.deepEqual(warnings, [UNTRUSTED_FORWARDED_FOR_WARNING]);
      assert.ok(!warnings[0]?.includes(secretish));
    } finally {
      await tessera.close();
      await store.close();
    }
  });
});
