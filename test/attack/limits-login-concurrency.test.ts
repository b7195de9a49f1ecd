import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { ThrottleBackend } from '../../src/core/throttling/throttle-backend.js';
import { ManualClock } from '../../src/core/time/clock.js';
import { countingCalls } from '../server/abuse-server.js';
import { FreshRedisPrefixes } from '../stores/redis/redis-test-server.js';
import {
  BACKENDS,
  type Backends,
  gatedPbkdf2,
  LimitsServer,
  statusCounts,
  until,
} from './limits-server.js';
import type { LoopbackResponse } from './support/loopback-client.js';
import { loopbackAddress } from './support/loopback-client.js';

// Finding 3: the login limits were checked before the hash and counted after it, so concurrent
// attempts all passed the check. Here the hashes are held until every attempt of a burst has
// either been refused or reached the user lookup (as under a slow production hash): the
// attempts let through to the lookup and the hash may not exceed the limit.

const prefixes = new FreshRedisPrefixes();
after(() => prefixes.dropAll());

/** Starts the servers of `kind`, counting together, with lookups and hashes counted. */
async function servers(kind: Backends) {
  const gate = gatedPbkdf2();
  const reads = { calls: 0 };
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const prefix = prefixes.newPrefix();
  const backends: ThrottleBackend[] = [];
  const started: LimitsServer[] = [];
  for (let i = 0; i < kind.servers; i++) {
    const backend = await kind.open(prefix);
    if (backend) backends.push(backend);
    started.push(
      await LimitsServer.start({
        pbkdf2: gate.pbkdf2,
        clock,
        wrapStore: countingCalls('getUserByUsername', reads),
        ...(backend ? { throttleBackend: backend } : {}),
      }),
    );
  }
  return {
    gate,
    reads,
    /** Sends every attempt at once, hashes held until each is refused or at the lookup. */
    async burst(
      attempts: readonly ((server: LimitsServer) => Promise<LoopbackResponse>)[],
    ): Promise<LoopbackResponse[]> {
      const readsBefore = reads.calls;
      let refused = 0;
      gate.hold();
      const pending = attempts.map((attempt, i) =>
        attempt(started[i % started.length] as LimitsServer).then((response) => {
          if (response.status === 429) refused++;
          return response;
        }),
      );
      try {
        await until(
          () => reads.calls - readsBefore + refused === attempts.length,
          'every attempt refused or at the user lookup',
        );
      } finally {
        gate.release();
      }
      return Promise.all(pending);
    },
    close: async () => {
      for (const server of started) await server.close();
      for (const backend of backends) await backend.close();
    },
  };
}

const wrongPassword = () => `wrong-${randomBytes(4).toString('hex')}`;

for (const kind of BACKENDS) {
  describe(`login limits hold under concurrency (${kind.name})`, () => {
    test('40 concurrent wrong passwords for one (username, address): at most 5 hashes', async () => {
      const run = await servers(kind);
      try {
        const username = `alice_${randomBytes(4).toString('hex')}`;
        const hashesBefore = run.gate.calls;
        const from = loopbackAddress(1);
        const responses = await run.burst(
          Array.from(
            { length: 40 },
            () => (server) => server.login(from, username, wrongPassword()),
          ),
        );
        const hashed = run.gate.calls - hashesBefore;
        assert.ok(hashed <= 5, `${hashed} hashes evaluated against a limit of 5`);
        assert.deepEqual(statusCounts(responses), { 400: 5, 429: 35 });
      } finally {
        await run.close();
      }
    });

    test('40 addresses at once against one username: at most 20 hashes', async () => {
      const run = await servers(kind);
      try {
        const username = `user_${randomBytes(4).toString('hex')}`;
        const hashesBefore = run.gate.calls;
        const responses = await run.burst(
          Array.from(
            { length: 40 },
            (_, i) => (server) => server.login(loopbackAddress(100 + i), username, wrongPassword()),
          ),
        );
        const hashed = run.gate.calls - hashesBefore;
        assert.ok(hashed <= 20, `${hashed} hashes evaluated against a limit of 20`);
        assert.deepEqual(statusCounts(responses), { 400: 20, 429: 20 });
      } finally {
        await run.close();
      }
    });

    test('one address trying 60 usernames at once: at most 30 hashes', async () => {
      const run = await servers(kind);
      try {
        const hashesBefore = run.gate.calls;
        const from = loopbackAddress(2);
        const tag = randomBytes(4).toString('hex');
        const responses = await run.burst(
          Array.from(
            { length: 60 },
            (_, i) => (server) => server.login(from, `u${i}_${tag}`, 'nope'),
          ),
        );
        const hashed = run.gate.calls - hashesBefore;
        assert.ok(hashed <= 30, `${hashed} hashes evaluated against a limit of 30`);
        assert.deepEqual(statusCounts(responses), { 400: 30, 429: 30 });
      } finally {
        await run.close();
      }
    });
  });
}
