import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { THROTTLING_OFF } from '../../src/core/config/settings.js';
import type { RawResponse } from '../parity/raw-http-client.js';
import { AbuseServer, countingPbkdf2 } from './abuse-server.js';

const UNABLE = '{"non_field_errors":["Unable to log in with provided credentials."]}';
const MINUTE = 60_000;

function assertThrottled(response: RawResponse, seconds: number): void {
  assert.equal(response.status, 429);
  assert.equal(response.headers['retry-after'], String(seconds));
  assert.equal(response.headers['content-type'], 'application/json');
  assert.equal(response.headers.allow, 'POST, OPTIONS');
  assert.equal(
    response.body,
    `{"detail":"Request was throttled. Expected available in ${seconds} seconds."}`,
  );
}

describe('obtain-token is throttled by default (5 failures a minute per user and IP)', () => {
  let server: AbuseServer;
  const hashes = countingPbkdf2();
  before(async () => {
    server = await AbuseServer.start({ pbkdf2: hashes.pbkdf2 });
    await server.createUser('alice', 'alice-password');
  });
  after(() => server.close());

  test('the sixth failure gets 429 with Retry-After, and costs no hash', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await server.login('alice', `wrong-${i}`);
      assert.equal(response.body, UNABLE);
      server.clock.advance(1000);
    }
    const hashesBefore = hashes.iterations.length;
    assertThrottled(await server.login('alice', 'wrong-5'), 55);
    // The right password waits too: the limit is on attempts, checked before the password.
    assertThrottled(await server.login('alice', 'alice-password'), 55);
    assert.equal(hashes.iterations.length, hashesBefore, 'a refused attempt ran a hash');
  });

  test('the window slides: once the oldest failure is a minute old, logins work again', async () => {
    server.clock.advance(55_000);
    const response = await server.login('alice', 'alice-password');
    assert.equal(response.status, 200);
    assert.match(response.body, /^\{"token":"tsr_[0-9A-Za-z]{38}"\}$/);
  });
});

describe('what counts as a failed login', () => {
  let server: AbuseServer;
  before(async () => {
    server = await AbuseServer.start();
    await server.createUser('bob', 'bob-password');
    await server.createUser('carol', 'carol-password', false);
  });
  after(() => server.close());

  test('successful logins never count', async () => {
    for (let i = 0; i < 12; i++)
      assert.equal((await server.login('bob', 'bob-password')).status, 200);
    for (let i = 0; i < 4; i++) assert.equal((await server.login('bob', 'nope')).status, 400);
    assert.equal((await server.login('bob', 'bob-password')).status, 200);
    assert.equal((await server.login('bob', 'nope')).status, 400);
    assertThrottled(await server.login('bob', 'nope'), 60);
    server.clock.advance(MINUTE);
  });

  test('field errors never count', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await server.login('bob', '');
      assert.equal(response.body, '{"password":["This field may not be blank."]}');
    }
    for (let i = 0; i < 5; i++) assert.equal((await server.login('bob', 'nope')).status, 400);
    server.clock.advance(MINUTE);
  });

  test('an unknown username and an inactive user count exactly like a wrong password', async () => {
    for (const username of ['nobody', 'carol']) {
      for (let i = 0; i < 5; i++) {
        assert.equal((await server.login(username, 'carol-password')).body, UNABLE);
      }
      assertThrottled(await server.login(username, 'carol-password'), 60);
    }
    server.clock.advance(MINUTE);
  });

  test('usernames count as the lookup sees them: trimmed, never case-folded', async () => {
    for (let i = 0; i < 5; i++) await server.login(' bob\t', 'nope');
    assertThrottled(await server.login('bob', 'bob-password'), 60);
    assert.equal((await server.login('BOB', 'nope')).status, 400);
    server.clock.advance(MINUTE);
  });
});

describe('looser ceilings per username and per IP (client IPs from a trusted proxy)', () => {
  let server: AbuseServer;
  before(async () => {
    server = await AbuseServer.start({ settings: { numProxies: 1 } });
    await server.createUser('dave', 'dave-password');
  });
  after(() => server.close());

  test('per (username, IP): another IP is not affected', async () => {
    for (let i = 0; i < 5; i++) await server.login('dave', 'nope', '203.0.113.1');
    assertThrottled(await server.login('dave', 'nope', '203.0.113.1'), 60);
    assert.equal((await server.login('dave', 'dave-password', '203.0.113.2')).status, 200);
    server.clock.advance(MINUTE);
  });

  test('per username: 20 failures from 20 IPs stop the 21st IP', async () => {
    for (let i = 0; i < 20; i++) {
      assert.equal((await server.login('dave', 'nope', `198.51.100.${i}`)).status, 400);
    }
    assertThrottled(await server.login('dave', 'nope', '198.51.100.200'), 60);
    assert.equal((await server.login('erin', 'nope', '198.51.100.200')).status, 400);
    server.clock.advance(MINUTE);
  });

  test('per IP: 30 failures for 30 usernames stop the 31st username', async () => {
    for (let i = 0; i < 30; i++) {
      assert.equal((await server.login(`user${i}`, 'nope', '192.0.2.7')).status, 400);
    }
    assertThrottled(await server.login('dave', 'dave-password', '192.0.2.7'), 60);
    assert.equal((await server.login('dave', 'dave-password', '192.0.2.8')).status, 200);
  });
});

describe('login limits are settings', () => {
  test('switched off explicitly, no failure is ever refused', async () => {
    const server = await AbuseServer.start({ settings: THROTTLING_OFF });
    try {
      for (let i = 0; i < 40; i++) assert.equal((await server.login('frank', 'nope')).status, 400);
    } finally {
      await server.close();
    }
  });

  test('a custom rate applies', async () => {
    const server = await AbuseServer.start({ settings: { loginFailuresPerUserIp: '2/hour' } });
    try {
      for (let i = 0; i < 2; i++) await server.login('gina', 'nope');
      assertThrottled(await server.login('gina', 'nope'), 3600);
    } finally {
      await server.close();
    }
  });
});
