import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKey } from '../../src/core/tokens/key-format.js';
import type { RawResponse } from '../parity/raw-http-client.js';
import { AbuseServer, countingCalls } from './abuse-server.js';

const MINUTE = 60_000;

function assertThrottled(response: RawResponse, seconds: number): void {
  assert.equal(response.status, 429);
  assert.equal(response.headers['retry-after'], String(seconds));
  assert.equal(
    response.body,
    `{"detail":"Request was throttled. Expected available in ${seconds} seconds."}`,
  );
}

describe('key guessing: 60 failed token authentications a minute per IP by default', () => {
  const counter = { calls: 0 };
  let server: AbuseServer;
  let key: string;
  before(async () => {
    server = await AbuseServer.start({ wrapStore: countingCalls('findTokenByDigest', counter) });
    key = await server.issueKey(await server.createUser('alice', 'alice-password'));
  });
  after(() => server.close());

  test('valid traffic is never counted', async () => {
    for (let i = 0; i < 150; i++) assert.equal((await server.trigger(`Token ${key}`)).status, 200);
  });

  test('the 61st failure gets 429 before any database read', async () => {
    for (let i = 0; i < 60; i++) {
      const response = await server.trigger(`Token ${generateKey()}`);
      assert.equal(response.body, '{"detail":"Invalid token."}');
    }
    const reads = counter.calls;
    assertThrottled(await server.trigger(`Token ${generateKey()}`), 60);
    // A valid key from the same address waits too, and nothing was read for either.
    assertThrottled(await server.trigger(`Token ${key}`), 60);
    assert.equal(counter.calls, reads);
  });

  test('a request without credentials still gets its 401', async () => {
    const response = await server.trigger();
    assert.equal(response.status, 401);
    assert.equal(response.body, '{"detail":"Authentication credentials were not provided."}');
  });

  test('a minute after the failures, the address is served again', async () => {
    server.clock.advance(MINUTE);
    assert.equal((await server.trigger(`Token ${key}`)).status, 200);
  });
});

describe('what counts as a failed token authentication', () => {
  test('keys failing the grammar or checksum count, though they cost no read', async () => {
    const counter = { calls: 0 };
    const server = await AbuseServer.start({
      wrapStore: countingCalls('findTokenByDigest', counter),
    });
    try {
      const valid = generateKey();
      const badChecksum = `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`;
      for (let i = 0; i < 30; i++) await server.trigger(`Token ${badChecksum}`);
      for (let i = 0; i < 30; i++) await server.trigger('Token abcd1234');
      assert.equal(counter.calls, 0);
      assertThrottled(await server.trigger(`Token ${generateKey()}`), 60);
    } finally {
      await server.close();
    }
  });

  test('header errors count too: "Token" alone, or a key with spaces', async () => {
    const server = await AbuseServer.start({ settings: { keyFailuresPerIp: '3/min' } });
    try {
      assert.equal((await server.trigger('Token')).status, 401);
      assert.equal((await server.trigger('Token a b')).status, 401);
      assert.equal((await server.trigger('Token tsr_x')).status, 401);
      assertThrottled(await server.trigger('Token'), 60);
      // Another scheme is not this authenticator's: not counted, not throttled.
      assert.equal((await server.trigger('Bearer x')).status, 401);
    } finally {
      await server.close();
    }
  });

  test('counted per client IP: behind a trusted proxy, other clients are served', async () => {
    const server = await AbuseServer.start({
      settings: { numProxies: 1, keyFailuresPerIp: '5/min' },
    });
    try {
      const key = await server.issueKey(await server.createUser('bob', 'bob-password'));
      for (let i = 0; i < 5; i++) await server.trigger(`Token ${generateKey()}`, '203.0.113.5');
      assertThrottled(await server.trigger(`Token ${key}`, '203.0.113.5'), 60);
      assert.equal((await server.trigger(`Token ${key}`, '203.0.113.6')).status, 200);
    } finally {
      await server.close();
    }
  });

  test('switched off explicitly, failures are never refused', async () => {
    const server = await AbuseServer.start({ settings: { keyFailuresPerIp: null } });
    try {
      for (let i = 0; i < 100; i++) {
        assert.equal((await server.trigger(`Token ${generateKey()}`)).status, 401);
      }
    } finally {
      await server.close();
    }
  });
});
