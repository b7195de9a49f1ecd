import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src/core/config/settings.js';
import { nodePbkdf2 } from '../../src/core/passwords/django-pbkdf2.js';
import type { Pbkdf2Function } from '../../src/core/passwords/index.js';
import { createTessera } from '../../src/core/tessera.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { AbuseServer, countingCalls } from './abuse-server.js';

/** A key derivation the test can hold, so the order of events is decided by the test, not timers. */
function gatedPbkdf2() {
  let held = false;
  const waiting: (() => void)[] = [];
  const pbkdf2: Pbkdf2Function = async (...args) => {
    if (held) await new Promise<void>((resolve) => waiting.push(resolve));
    return nodePbkdf2(...args);
  };
  return {
    pbkdf2,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

/** Turns the event loop until `condition` holds (requests travel through real sockets). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('login cannot starve the API: a bounded password queue', () => {
  test('beyond the hashes in flight and the queue, obtain-token answers 503 a second later, without a hash', async () => {
    const gate = gatedPbkdf2();
    const reads = { calls: 0 };
    const server = await AbuseServer.start({
      pbkdf2: gate.pbkdf2,
      passwords: { concurrency: 1, queueLimit: 2 },
      wrapStore: countingCalls('getUserByUsername', reads),
    });
    try {
      await server.createUser('alice', 'alice-password');
      const key = await server.issueKey(await server.createUser('bob', 'bob-password'));
      gate.hold();
      const pending = [
        server.login('alice', 'alice-password'),
        server.login('alice', 'wrong'),
        server.login('nobody', 'wrong'),
      ];
      const { limit } = server.passwords;
      await until(() => limit.active === 1 && limit.waiting === 2, 'one hash running, two queued');
      // Answered while every hash is still held: it never waited for one, nor read the user.
      const usersRead = reads.calls;
      const startedAt = Date.now();
      const refusing = server.login('alice', 'alice-password');
      // Held a moment (a flood resending at once would keep the event loop busy with 503s);
      // meanwhile token-authenticated requests are answered.
      assert.equal((await server.trigger(`Token ${key}`)).status, 200);
      const refused = await refusing;
      assert.ok(Date.now() - startedAt >= 900, 'the refusal waited about a second');
      assert.equal(refused.status, 503);
      assert.equal(refused.body, '{"detail":"Service temporarily unavailable."}');
      assert.equal(reads.calls, usersRead);
      // Meanwhile the API keeps serving token-authenticated requests.
      assert.equal((await server.trigger(`Token ${key}`)).status, 200);
      gate.release();
      assert.deepEqual(
        (await Promise.all(pending)).map((response) => response.status),
        [200, 400, 400],
      );
      // A 503 is not a failed login: it did not count toward the login limits.
      for (let i = 0; i < 3; i++) assert.equal((await server.login('alice', 'wrong')).status, 400);
      assert.equal((await server.login('alice', 'alice-password')).status, 200);
    } finally {
      gate.release();
      await server.close();
    }
  });
});

describe('the queue bound is a setting', () => {
  test('createTessera builds its hasher from passwordConcurrency and passwordQueueLimit', async () => {
    const store = await openSqliteStore({ filename: ':memory:' });
    try {
      const tessera = createTessera({
        store,
        settings: { passwordConcurrency: 3, passwordQueueLimit: 7 },
      });
      assert.equal(tessera.passwords.limit.maxActive, 3);
      assert.equal(tessera.passwords.limit.maxWaiting, 7);
      const defaults = createTessera({ store });
      assert.equal(defaults.passwords.limit.maxActive, DEFAULT_SETTINGS.passwordConcurrency);
      assert.equal(defaults.passwords.limit.maxWaiting, DEFAULT_SETTINGS.passwordQueueLimit);
      await tessera.close();
      await defaults.close();
    } finally {
      await store.close();
    }
  });
});
