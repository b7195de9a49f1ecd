import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../../src/core/config/settings.js';
import { nodePbkdf2 } from '../../src/core/passwords/django-pbkdf2.js';
import { PasswordHasher, type Pbkdf2Function } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { ManualClock } from '../../src/core/time/clock.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { type RawResponse, sendRaw } from '../parity/raw-http-client.js';

/** Few iterations keep the tests fast; the hash format is the production one. */
export const TEST_ITERATIONS = 1000;

/** Options of `startAbuseServer`. */
export interface AbuseServerOptions {
  /** Settings over `DEFAULT_SETTINGS` (whose abuse limits are on). */
  readonly settings?: Partial<TesseraSettings>;
  /** The key derivation the server's hasher uses (to count or hold hashes). */
  readonly pbkdf2?: Pbkdf2Function;
  /** Hasher bounds; default the settings' concurrency and an unbounded queue. */
  readonly passwords?: { readonly concurrency?: number; readonly queueLimit?: number };
  /** Wraps the store the server sees (to count reads). */
  readonly wrapStore?: (store: Store) => Store;
}

/**
 * The reference server on an in-memory SQLite store with a manual clock and a captured log, for
 * the abuse-resistance tests: limits on by default, as a user would run it.
 */
export class AbuseServer {
  readonly clock = new ManualClock(Date.UTC(2026, 0, 1));
  store!: Store;
  app!: FastifyInstance;
  passwords!: PasswordHasher;
  url = '';
  #log = '';

  static async start(options: AbuseServerOptions = {}): Promise<AbuseServer> {
    const server = new AbuseServer();
    await server.#start(options);
    return server;
  }

  async #start(options: AbuseServerOptions): Promise<void> {
    const settings: TesseraSettings = {
      ...DEFAULT_SETTINGS,
      passwordIterations: TEST_ITERATIONS,
      databaseUrl: 'sqlite::memory:',
      ...options.settings,
    };
    this.store = await openSqliteStore({ filename: ':memory:' });
    await this.store.migrate();
    this.passwords = new PasswordHasher(
      { iterations: TEST_ITERATIONS, ...options.passwords },
      { pbkdf2: options.pbkdf2 ?? nodePbkdf2 },
    );
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      this.#log += chunk.toString('utf8');
    });
    this.app = await buildServer({
      store: options.wrapStore ? options.wrapStore(this.store) : this.store,
      settings,
      clock: this.clock,
      passwords: this.passwords,
      logStream: stream,
    });
    await this.app.listen({ host: '127.0.0.1', port: 0 });
    this.url = `http://127.0.0.1:${(this.app.server.address() as AddressInfo).port}`;
  }

  /** Everything the server logged so far. */
  get log(): string {
    return this.#log;
  }

  async createUser(username: string, password: string, isActive = true): Promise<number> {
    return (
      await createUser(this.store, this.passwords, this.clock, { username, password, isActive })
    ).id;
  }

  async issueKey(userId: number): Promise<string> {
    return (await issueDefaultToken(this.store, userId, this.clock)).key;
  }

  /** POSTs credentials to obtain-token as JSON, from `forwardedFor` when given. */
  login(username: unknown, password: unknown, forwardedFor?: string): Promise<RawResponse> {
    return sendRaw(this.url, {
      method: 'POST',
      path: '/api-token-auth/',
      headers: {
        'Content-Type': 'application/json',
        ...(forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {}),
      },
      body: JSON.stringify({ username, password }),
    });
  }

  /** POSTs to build-trigger with `Authorization: <authorization>`, when given. */
  trigger(authorization?: string, forwardedFor?: string): Promise<RawResponse> {
    return sendRaw(this.url, {
      method: 'POST',
      path: '/api/build-trigger/',
      headers: {
        ...(authorization === undefined ? {} : { Authorization: authorization }),
        ...(forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {}),
      },
    });
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.store.close();
  }
}

/** A key derivation that counts calls (and their iterations) before deriving for real. */
export function countingPbkdf2(): { pbkdf2: Pbkdf2Function; iterations: number[] } {
  const iterations: number[] = [];
  return {
    iterations,
    pbkdf2: (password, salt, count, keyLength, digest) => {
      iterations.push(count);
      return nodePbkdf2(password, salt, count, keyLength, digest);
    },
  };
}

/** The store, with calls to `method` counted in `counter.calls` (the other methods untouched). */
export function countingCalls(
  method: 'findTokenByDigest' | 'getUserByUsername',
  counter: { calls: number },
): (store: Store) => Store {
  return (store) =>
    new Proxy(store, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const bound = value.bind(target);
        if (property !== method) return bound;
        return (...args: unknown[]) => {
          counter.calls++;
          return bound(...args);
        };
      },
    });
}
