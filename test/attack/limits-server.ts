import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../../src/core/config/settings.js';
import { nodePbkdf2 } from '../../src/core/passwords/django-pbkdf2.js';
import { PasswordHasher, type Pbkdf2Function } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import type { ThrottleBackend } from '../../src/core/throttling/throttle-backend.js';
import { ManualClock } from '../../src/core/time/clock.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import { openRedisThrottleBackend } from '../../src/stores/redis/index.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { REDIS_TEST_URL } from '../stores/redis/redis-test-server.js';
import { type LoopbackResponse, requestFrom } from './support/loopback-client.js';

/** Few iterations keep the tests fast; the hash format is the production one. */
const TEST_ITERATIONS = 1000;

/** Options of `LimitsServer.start`. */
export interface LimitsServerOptions {
  /** Settings over `DEFAULT_SETTINGS` (whose limits are on). */
  readonly settings?: Partial<TesseraSettings>;
  /** The store to serve (the caller closes it); default a fresh in-memory SQLite. */
  readonly store?: Store;
  /** Wraps the store the server sees (to count reads). */
  readonly wrapStore?: (store: Store) => Store;
  /** Where the limits count (the caller closes it); default the server's memory. */
  readonly throttleBackend?: ThrottleBackend;
  /** The key derivation the hasher uses (to count hashes). */
  readonly pbkdf2?: Pbkdf2Function;
  /** Hasher bounds; default 2 at once and room for 256 waiting, so no attempt gets 503. */
  readonly passwords?: { readonly concurrency?: number; readonly queueLimit?: number };
  /** The clock; servers sharing a Redis share one so their windows agree. */
  readonly clock?: ManualClock;
}

/**
 * The reference server on a real socket for the limits' attack tests: clients reach it from
 * distinct loopback addresses (`requestFrom`), and time stands still unless the test moves it.
 */
export class LimitsServer {
  clock!: ManualClock;
  store!: Store;
  passwords!: PasswordHasher;
  app!: FastifyInstance;
  url = '';
  #ownsStore = false;

  static async start(options: LimitsServerOptions = {}): Promise<LimitsServer> {
    const server = new LimitsServer();
    server.clock = options.clock ?? new ManualClock(Date.UTC(2026, 0, 1));
    server.#ownsStore = options.store === undefined;
    server.store = options.store ?? (await openSqliteStore({ filename: ':memory:' }));
    if (server.#ownsStore) await server.store.migrate();
    server.passwords = new PasswordHasher(
      { iterations: TEST_ITERATIONS, concurrency: 2, queueLimit: 256, ...options.passwords },
      { pbkdf2: options.pbkdf2 ?? nodePbkdf2 },
    );
    server.app = await buildServer({
      store: options.wrapStore ? options.wrapStore(server.store) : server.store,
      settings: {
        ...DEFAULT_SETTINGS,
        passwordIterations: TEST_ITERATIONS,
        databaseUrl: 'sqlite::memory:',
        ...options.settings,
      },
      clock: server.clock,
      passwords: server.passwords,
      logger: false,
      ...(options.throttleBackend ? { throttleBackend: options.throttleBackend } : {}),
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    server.url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    return server;
  }

  async createUser(username: string, password: string): Promise<number> {
    return (await createUser(this.store, this.passwords, this.clock, { username, password })).id;
  }

  async issueKey(userId: number): Promise<string> {
    return (await issueDefaultToken(this.store, userId, this.clock)).key;
  }

  /** POSTs credentials to obtain-token from `from`, with `X-Forwarded-For` when given. */
  login(
    from: string,
    username: string,
    password: string,
    forwardedFor?: string,
  ): Promise<LoopbackResponse> {
    return requestFrom(from, {
      url: `${this.url}/api-token-auth/`,
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor }),
      },
      body: JSON.stringify({ username, password }),
    });
  }

  /** POSTs to build-trigger from `from` with `Authorization: Token <key>`. */
  trigger(from: string, key: string, forwardedFor?: string): Promise<LoopbackResponse> {
    return requestFrom(from, {
      url: `${this.url}/api/build-trigger/`,
      method: 'POST',
      headers: {
        Authorization: `Token ${key}`,
        ...(forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor }),
      },
    });
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.#ownsStore) await this.store.close();
  }
}

/** How many responses had each status, e.g. `{ 400: 5, 429: 35 }`. */
export function statusCounts(responses: readonly LoopbackResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/**
 * A key derivation that counts its calls and can be held: while held, no hash finishes, so every
 * attempt of a burst is in flight at once, as under a slow production hash.
 */
export function gatedPbkdf2() {
  let held = false;
  const waiting: (() => void)[] = [];
  let calls = 0;
  const pbkdf2: Pbkdf2Function = async (...args) => {
    calls++;
    if (held) await new Promise<void>((resolve) => waiting.push(resolve));
    return nodePbkdf2(...args);
  };
  return {
    pbkdf2,
    get calls() {
      return calls;
    },
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

/** Turns the event loop until `condition` holds, failing after 10 s (requests use real sockets). */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Where a test's servers count their limits together. */
export interface Backends {
  readonly name: string;
  /** Servers that count together: one in memory, two sharing a Redis. */
  readonly servers: number;
  /** One backend per server, all under `prefix` (or null: the server's memory). */
  open(prefix: string): Promise<ThrottleBackend | null>;
}

/** The limits tried in memory and in a Redis shared by two servers. */
export const BACKENDS: readonly Backends[] = [
  { name: 'memory', servers: 1, open: async () => null },
  {
    name: 'Redis, two servers',
    servers: 2,
    open: (keyPrefix) => openRedisThrottleBackend({ url: REDIS_TEST_URL, keyPrefix }),
  },
];
