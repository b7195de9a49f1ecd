import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { ThrottleBackend } from '../../src/core/throttling/throttle-backend.js';
import { ManualClock } from '../../src/core/time/clock.js';
import { FreshRedisPrefixes } from '../stores/redis/redis-test-server.js';
import { BACKENDS, type Backends, LimitsServer, statusCounts } from './limits-server.js';
import { inParallel, loopbackAddress } from './support/loopback-client.js';

// Finding 4: the per-username limit locked the owner out: 20 wrong passwords spread over 5
// addresses, and the owner's right password got 429. An address the owner logged in from before
// is known: the per-username limit does not refuse it (the per-(username, address) one still
// does), while unknown addresses stay bounded by the per-username limit.

const prefixes = new FreshRedisPrefixes();
after(() => prefixes.dropAll());

const DAY = 86_400_000;

async function start(kind: Backends) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const prefix = prefixes.newPrefix();
  const backends: ThrottleBackend[] = [];
  const servers: LimitsServer[] = [];
  for (let i = 0; i < kind.servers; i++) {
    const backend = await kind.open(prefix);
    if (backend) backends.push(backend);
    servers.push(
      await LimitsServer.start({ clock, ...(backend ? { throttleBackend: backend } : {}) }),
    );
  }
  // Every server has its own SQLite: the owner exists on each, with the same password.
  const username = `owner_${randomBytes(4).toString('hex')}`;
  for (const server of servers) await server.createUser(username, 'owner-password');
  let next = 0;
  return {
    clock,
    username,
    /** Each call sends through the next server, so the servers share the work. */
    server: () => servers[next++ % servers.length] as LimitsServer,
    close: async () => {
      for (const server of servers) await server.close();
      for (const backend of backends) await backend.close();
    },
  };
}

for (const kind of BACKENDS) {
  describe(`the owner is not locked out by a distributed guess (${kind.name})`, () => {
    test('from a known address the owner logs in during the attack; a fresh one gets 429', async () => {
      const run = await start(kind);
      try {
        const home = loopbackAddress(30);
        assert.equal((await run.server().login(home, run.username, 'owner-password')).status, 200);
        // 25 wrong passwords from 5 other addresses, all at once: 20 are evaluated, then 429.
        const attack = await inParallel(
          25,
          Array.from(
            { length: 25 },
            (_, i) => () =>
              run.server().login(loopbackAddress(40 + (i % 5)), run.username, `guess-${i}`),
          ),
        );
        assert.deepEqual(statusCounts(attack), { 400: 20, 429: 5 });
        const owner = await run.server().login(home, run.username, 'owner-password');
        assert.equal(owner.status, 200, owner.body);
        assert.match(owner.body, /^\{"token":"tsr_[0-9A-Za-z]{38}"\}$/);
        // An address the owner never logged in from is bounded by the per-username limit.
        const fresh = await run.server().login(loopbackAddress(31), run.username, 'owner-password');
        assert.equal(fresh.status, 429);
      } finally {
        await run.close();
      }
    });

    test('a known address is still limited per (username, address)', async () => {
      const run = await start(kind);
      try {
        const home = loopbackAddress(32);
        assert.equal((await run.server().login(home, run.username, 'owner-password')).status, 200);
        for (let i = 0; i < 20; i++) {
          await run.server().login(loopbackAddress(50 + i), run.username, 'guess');
        }
        const fromHome = [];
        for (let i = 0; i < 6; i++) {
          fromHome.push((await run.server().login(home, run.username, `guess-${i}`)).status);
        }
        assert.deepEqual(fromHome, [400, 400, 400, 400, 400, 429]);
      } finally {
        await run.close();
      }
    });

    test('known addresses expire after 30 days, and only the 10 most recent are kept', async () => {
      const run = await start(kind);
      try {
        const homes = Array.from({ length: 11 }, (_, i) => loopbackAddress(60 + i));
        for (const home of homes) {
          assert.equal(
            (await run.server().login(home, run.username, 'owner-password')).status,
            200,
          );
          run.clock.advance(1000);
        }
        const attack = async () => {
          for (let i = 0; i < 20; i++) {
            await run.server().login(loopbackAddress(80 + i), run.username, 'guess');
          }
        };
        await attack();
        // The first of 11 was forgotten; the other 10 are known.
        assert.equal(
          (await run.server().login(homes[0] as string, run.username, 'owner-password')).status,
          429,
        );
        assert.equal(
          (await run.server().login(homes[1] as string, run.username, 'owner-password')).status,
          200,
        );
        run.clock.advance(30 * DAY + 1);
        await attack();
        assert.equal(
          (await run.server().login(homes[10] as string, run.username, 'owner-password')).status,
          429,
        );
      } finally {
        await run.close();
      }
    });
  });
}
