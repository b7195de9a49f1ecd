import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { DEFAULT_SETTINGS } from '../../src/core/config/settings.js';
import type { InvalidationSubscriber } from '../../src/core/invalidation.js';
import type { Store } from '../../src/core/store.js';
import { createTessera } from '../../src/core/tessera.js';
import { MemoryThrottleBackend } from '../../src/core/throttling/memory-throttle-backend.js';
import { buildServer } from '../../src/server/app.js';
import { InvalidationListenerFailure } from '../../src/stores/invalidation-listener-failure.js';
import { openStore } from '../../src/stores/open-store.js';
import { postgresInvalidationChannel } from '../../src/stores/postgres/postgres-invalidation-channel.js';
import { redisInvalidationChannel } from '../../src/stores/redis/redis-invalidation-channel.js';
import { FreshDatabases, POSTGRES_TEST_URL } from './fresh-database.js';
import { REDIS_TEST_URL } from './redis/redis-test-server.js';

/** Records a listener's failures and states. */
class Listener implements InvalidationSubscriber {
  readonly failures: Error[] = [];
  readonly states: boolean[] = [];
  invalidate(): void {}
  setChannelUp(up: boolean): void {
    this.states.push(up);
  }
  channelFailed(error: Error): void {
    this.failures.push(error);
  }
}

async function until(condition: () => boolean, what: string, deadlineMs = 8000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// A user Redis does not know, so AUTH answers WRONGPASS whether or not the server has a password.
const WRONG_PASSWORD = `not-the-password-${randomBytes(4).toString('hex')}`;
function redisUrlWithWrongPassword(): string {
  const url = new URL(REDIS_TEST_URL);
  url.username = 'tessera_nobody';
  url.password = WRONG_PASSWORD;
  return url.href;
}

describe('PostgreSQL invalidation listener failures reach channelFailed, never silence', () => {
  const databases = new FreshDatabases('postgres');
  const role = `tessera_nologin_${randomBytes(4).toString('hex')}`;
  let url: string;

  before(async () => {
    url = (await databases.create({ migrated: true })).url;
    await databases.admin([`CREATE ROLE ${role} NOLOGIN PASSWORD 'listen-secret'`]);
  });
  after(async () => {
    await databases.admin([`DROP ROLE IF EXISTS ${role}`]);
    await databases.dropAll();
  });

  test('a role that may not log in is reported as refused credentials, each retry, backing off', async () => {
    const refusedUrl = new URL(url);
    refusedUrl.username = role;
    refusedUrl.password = 'listen-secret';
    const channel = postgresInvalidationChannel({ url: refusedUrl.href, connectTimeoutMs: 2000 });
    const listener = new Listener();
    const stop = channel.listen(listener);
    try {
      await until(() => listener.failures.length >= 2, 'two reported failures', 10_000);
      const [first, second] = listener.failures as [Error, Error];
      assert.ok(first instanceof InvalidationListenerFailure);
      assert.match(
        first.message,
        new RegExp(
          `^PostgreSQL invalidation listener: credentials refused: role "${role}" is not permitted to log in; retrying in 1 s`,
        ),
      );
      assert.equal(first.credentialsRefused, true);
      assert.ok((second as InvalidationListenerFailure).retryInMs > first.retryInMs);
      for (const failure of listener.failures)
        assert.doesNotMatch(failure.message, /listen-secret/);
      assert.equal(listener.states.includes(true), false);
    } finally {
      stop();
      await channel.close();
    }
  });

  test("a closed LISTEN connection reaches createTessera's onBackgroundError, then reconnects", async () => {
    const store: Store = await openStore(url);
    const errors: unknown[] = [];
    const tessera = createTessera({
      store,
      settings: { tokenCacheSeconds: 60 },
      onBackgroundError: (error) => errors.push(error),
    });
    const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await admin.connect();
    const database = new URL(url).pathname.slice(1);
    const listening = async () =>
      (
        await admin.query(
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'tessera-listen'",
          [database],
        )
      ).rows as { pid: number }[];
    try {
      let pids: { pid: number }[] = [];
      const end = Date.now() + 8000;
      while (pids.length === 0 && Date.now() < end) {
        pids = await listening();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(pids.length, 1, 'one LISTEN connection');
      await admin.query('SELECT pg_terminate_backend($1)', [pids[0]?.pid]);
      await until(() => errors.length > 0, 'the reported failure');
      const [failure] = errors as [InvalidationListenerFailure];
      assert.ok(failure instanceof InvalidationListenerFailure);
      assert.match(failure.message, /^PostgreSQL invalidation listener: /);
      assert.match(
        failure.message,
        /terminating connection|connection was closed|Connection terminated/,
      );
      assert.equal(failure.credentialsRefused, false);
      // It comes back by itself.
      await until(() => tessera.tokenCache?.channelUp === true, 'the listener back up');
    } finally {
      await admin.end();
      await tessera.close();
      await store.close();
    }
  });
});

describe('Redis invalidation listener failures reach channelFailed, never silence', () => {
  test('a wrong password is reported as refused credentials, each retry, backing off', async () => {
    const channel = redisInvalidationChannel({
      url: redisUrlWithWrongPassword(),
      connectTimeoutMs: 2000,
    });
    const listener = new Listener();
    const stop = channel.listen(listener);
    try {
      await until(() => listener.failures.length >= 2, 'two reported failures', 10_000);
      const [first, second] = listener.failures as [
        InvalidationListenerFailure,
        InvalidationListenerFailure,
      ];
      assert.ok(first instanceof InvalidationListenerFailure);
      assert.match(
        first.message,
        /^Redis invalidation listener: credentials refused: WRONGPASS .*; retrying in 1 s/,
      );
      assert.equal(first.credentialsRefused, true);
      assert.ok(second.retryInMs > first.retryInMs);
      for (const failure of listener.failures) {
        assert.equal(failure.message.includes(WRONG_PASSWORD), false);
      }
      assert.equal(listener.states.includes(true), false);
    } finally {
      stop();
      await channel.close();
    }
  });

  test('the reference server logs it at error level, without the password', async () => {
    const redisUrl = redisUrlWithWrongPassword();
    const store = await openStore('sqlite::memory:', { redisUrl });
    await store.migrate();
    const stream = new PassThrough();
    let log = '';
    stream.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    const app = await buildServer({
      store,
      settings: { ...DEFAULT_SETTINGS, redisUrl, tokenCacheSeconds: 60 },
      throttleBackend: new MemoryThrottleBackend(),
      logStream: stream,
    });
    try {
      await until(() => log.includes('Redis invalidation listener'), 'the logged failure');
      const line = log
        .split('\n')
        .filter((text) => text.includes('Redis invalidation listener'))
        .map(
          (text) => JSON.parse(text) as { level: number; msg: string; err: { message: string } },
        )[0];
      assert.equal(line?.level, 50);
      assert.equal(line?.msg, 'background task failed');
      assert.match(line?.err.message ?? '', /credentials refused: WRONGPASS/);
      assert.equal(log.includes(WRONG_PASSWORD), false);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
