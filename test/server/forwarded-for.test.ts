import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateKey } from '../../src/core/tokens/key-format.js';
import { AbuseServer } from './abuse-server.js';

function warnings(log: string): string[] {
  return log
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg: string })
    .filter((line) => line.level === 40)
    .map((line) => line.msg);
}

describe('X-Forwarded-For without TESSERA_NUM_PROXIES', () => {
  test('is ignored, and the server warns once, the first time it sees one', async () => {
    const server = await AbuseServer.start({ settings: { keyFailuresPerIp: '2/min' } });
    try {
      await server.trigger(`Token ${generateKey()}`);
      assert.deepEqual(warnings(server.log), []);
      // Two "different clients" by the header are one peer: the header is not trusted.
      await server.trigger(`Token ${generateKey()}`, '203.0.113.1');
      const third = await server.trigger(`Token ${generateKey()}`, '203.0.113.2');
      assert.equal(third.status, 429);
      await server.login('alice', 'nope', '203.0.113.3');
      const logged = warnings(server.log);
      assert.equal(logged.length, 1);
      assert.match(logged[0] ?? '', /^X-Forwarded-For is ignored.*TESSERA_NUM_PROXIES/);
    } finally {
      await server.close();
    }
  });
});

describe('X-Forwarded-For with TESSERA_NUM_PROXIES', () => {
  test('decides the client IP by DRF’s rule, without a warning', async () => {
    const server = await AbuseServer.start({
      settings: { numProxies: 2, keyFailuresPerIp: '1/min' },
    });
    try {
      await server.trigger(`Token ${generateKey()}`, '6.6.6.6, 203.0.113.9, 10.0.0.1');
      // Spoofing the leftmost entry does not change the client the proxies saw.
      const spoofed = await server.trigger(
        `Token ${generateKey()}`,
        '7.7.7.7, 203.0.113.9, 10.0.0.1',
      );
      assert.equal(spoofed.status, 429);
      const other = await server.trigger(
        `Token ${generateKey()}`,
        '6.6.6.6, 203.0.113.10, 10.0.0.1',
      );
      assert.equal(other.status, 401);
      assert.deepEqual(warnings(server.log), []);
    } finally {
      await server.close();
    }
  });
});
