import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Store } from '../../src/core/store.js';
import type { ThrottleBackend } from '../../src/core/throttling/throttle-backend.js';
import { ManualClock } from '../../src/core/time/clock.js';
import { generateKey } from '../../src/core/tokens/key-format.js';
import { openStore } from '../../src/stores/open-store.js';
import { openRedisThrottleBackend } from '../../src/stores/redis/index.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { FreshDatabases } from '../stores/fresh-database.js';
import { FreshRedisPrefixes, REDIS_TEST_URL } from '../stores/redis/redis-test-server.js';
import { LimitsServer, statusCounts, until } from './limits-server.js';
import { type LoopbackResponse, loopbackAddress } from './support/loopback-client.js';

// Finding 6: the key-guessing limit looked before the read and counted after it, so 200 guesses
// in flight all passed the look (207 lookups of 600 on PostgreSQL; 100 of 300 with Redis). Here
// the lookups are held until every request of a wave is refused or at the lookup, so each wave of
// 200 is truly in flight at once; the store's lookups are counted.

const databases = new FreshDatabases('postgres');
const mariadbDatabases = new FreshDatabases('mysql');
const prefixes = new FreshRedisPrefixes();
after(async () => {
  await prefixes.dropAll();
  await databases.dropAll();
  await mariadbDatabases.dropAll();
});

/** The store's lookups by digest, counted and held while `held`. */
class GatedLookups {
  calls = 0;
  held = false;
  readonly #waiting: (() => void)[] = [];

  wrap = (store: Store): Store =>
    new Proxy(store, {
      get: (target, property) => {
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const bound = value.bind(target);
        if (property !== 'findTokenByDigest') return bound;
        return async (digest: string) => {
          this.calls++;
          if (this.held) await new Promise<void>((resolve) => this.#waiting.push(resolve));
          return bound(digest);
        };
      },
    });

  release(): void {
    this.held = false;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

interface Setup {
  readonly name: string;
  readonly servers: number;
  openStore(): Promise<Store>;
  openBackend(prefix: string): Promise<ThrottleBackend | null>;
}

const memory = async () => null;
const redis = (keyPrefix: string) => openRedisThrottleBackend({ url: REDIS_TEST_URL, keyPrefix });
const sqlite = async () => openSqliteStore({ filename: ':memory:' });
const postgres = async () => {
  const { url } = await databases.create();
  return openStore(url);
};

const mariadb = async () => {
  const { url } = await mariadbDatabases.create();
  return openStore(url);
};

const SETUPS: readonly Setup[] = [
  { name: 'SQLite, memory', servers: 1, openStore: sqlite, openBackend: memory },
  { name: 'PostgreSQL, memory', servers: 1, openStore: postgres, openBackend: memory },
  { name: 'MariaDB, memory', servers: 1, openStore: mariadb, openBackend: memory },
  {
    name: 'PostgreSQL, two servers sharing Redis',
    servers: 2,
    openStore: postgres,
    openBackend: redis,
  },
];

async function start(setup: Setup) {
  const lookups = new GatedLookups();
  const store = await setup.openStore();
  await store.migrate();
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const prefix = prefixes.newPrefix();
  const backends: ThrottleBackend[] = [];
  const servers: LimitsServer[] = [];
  for (let i = 0; i < setup.servers; i++) {
    const backend = await setup.openBackend(prefix);
    if (backend) backends.push(backend);
    servers.push(
      await LimitsServer.start({
        store,
        clock,
        wrapStore: lookups.wrap,
        ...(backend ? { throttleBackend: backend } : {}),
      }),
    );
  }
  return {
    lookups,
    servers,
    /** Sends `keys` from `from`, all in flight at once, lookups held until each is placed. */
    async wave(from: string, keys: readonly string[]): Promise<LoopbackResponse[]> {
      const before = lookups.calls;
      let refused = 0;
      lookups.held = true;
      const pending = keys.map((key, i) =>
        (servers[i % servers.length] as LimitsServer).trigger(from, key).then((response) => {
          if (response.status === 429) refused++;
          return response;
        }),
      );
      try {
        await until(
          () => lookups.calls - before + refused === keys.length,
          'every request refused or at the lookup',
        );
      } finally {
        lookups.release();
      }
      return Promise.all(pending);
    },
    close: async () => {
      for (const server of servers) await server.close();
      for (const backend of backends) await backend.close();
      await store.close();
    },
  };
}

for (const setup of SETUPS) {
  describe(`key guessing under concurrency (${setup.name})`, () => {
    test('600 unknown keys from one address, 200 in flight: at most 60 lookups', async () => {
      const run = await start(setup);
      try {
        const from = loopbackAddress(7);
        const responses: LoopbackResponse[] = [];
        for (let wave = 0; wave < 3; wave++) {
          responses.push(...(await run.wave(from, Array.from({ length: 200 }, generateKey))));
        }
        assert.ok(run.lookups.calls <= 60, `${run.lookups.calls} lookups against a limit of 60`);
        assert.deepEqual(statusCounts(responses), { 401: 60, 429: 540 });
        // Another address is not affected.
        const other = await (run.servers[0] as LimitsServer).trigger(
          loopbackAddress(8),
          generateKey(),
        );
        assert.equal(other.status, 401);
      } finally {
        await run.close();
      }
    });

    test('200 valid keys at once from one address all get in: past 60 in flight they wait', async () => {
      const run = await start(setup);
      try {
        const server = run.servers[0] as LimitsServer;
        const key = await server.issueKey(await server.createUser('bob', 'bob-password'));
        const from = loopbackAddress(10);
        run.lookups.held = true;
        const pending = Array.from({ length: 200 }, (_, i) =>
          (run.servers[i % run.servers.length] as LimitsServer).trigger(from, key),
        );
        // The limit's worth of lookups in flight, held: the rest wait for a place.
        await until(() => run.lookups.calls >= 60, '60 lookups in flight');
        run.lookups.release();
        assert.deepEqual(statusCounts(await Promise.all(pending)), { 200: 200 });
        // Nothing was counted: 60 unknown keys still get their 401.
        const guesses = await run.wave(from, Array.from({ length: 60 }, generateKey));
        assert.deepEqual(statusCounts(guesses), { 401: 60 });
      } finally {
        await run.close();
      }
    });

    test('valid keys are never counted, before, between and after guesses', async () => {
      const run = await start(setup);
      try {
        const server = run.servers[0] as LimitsServer;
        const key = await server.issueKey(await server.createUser('alice', 'alice-password'));
        const from = loopbackAddress(9);
        for (let i = 0; i < 100; i++) {
          const each = run.servers[i % run.servers.length] as LimitsServer;
          assert.equal((await each.trigger(from, key)).status, 200);
        }
        const guesses = await run.wave(from, Array.from({ length: 59 }, generateKey));
        assert.deepEqual(statusCounts(guesses), { 401: 59 });
        for (let i = 0; i < 100; i++) {
          const each = run.servers[i % run.servers.length] as LimitsServer;
          assert.equal((await each.trigger(from, key)).status, 200);
        }
        assert.equal((await server.trigger(from, generateKey())).status, 401);
        // Now 60 failures: refused before any read, a valid key too.
        const reads = run.lookups.calls;
        assert.equal((await server.trigger(from, generateKey())).status, 429);
        assert.equal((await server.trigger(from, key)).status, 429);
        assert.equal(run.lookups.calls, reads);
      } finally {
        await run.close();
      }
    });
  });
}
