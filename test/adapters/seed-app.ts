import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenAuthentication } from '../../src/core/auth/token-authentication.js';
import type { View } from '../../src/core/http/view.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { systemClock } from '../../src/core/time/clock.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createUser } from '../../src/core/users/users.js';
import { obtainTokenView } from '../../src/core/views/obtain-token.js';
import { buildTriggerView } from '../../src/server/build-trigger.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import type { ParityApp, ParityTarget } from '../parity/parity-target.js';

/** What an adapter's test app serves: the seed's two views, built on one store. */
export interface SeedViews {
  readonly store: Store;
  readonly tokenAuthentication: TokenAuthentication;
  /** The seed's `POST /api/build-trigger/` as a core view. */
  readonly buildTrigger: View;
  /** DRF's obtain-token, for `/api-token-auth/`. */
  readonly obtainToken: View;
}

/** How the test app is served: its body limit and where the adapter's error reports go. */
export interface ServeOptions {
  readonly maxBodyBytes: number;
  /** Receives what the adapter reports through the framework's logger, one entry a call. */
  readonly log: (entry: string) => void;
}

/** A test app listening on loopback. */
export interface RunningApp {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Builds an app with one adapter serving build-trigger and obtain-token, and starts it. */
export type ServeSeedApp = (seed: SeedViews, options: ServeOptions) => Promise<RunningApp>;

// Few iterations keep user creation fast; the hash format is the same as in production.
const passwords = new PasswordHasher({ iterations: 1000 });

/** The seed's views on `store` (a migrated in-memory SQLite database unless given). */
export async function seedViews(store?: Store): Promise<SeedViews> {
  const seedStore = store ?? openSqliteStore({ filename: ':memory:' });
  if (!store) await seedStore.migrate();
  const tokenAuthentication = new TokenAuthentication({ store: seedStore });
  return {
    store: seedStore,
    tokenAuthentication,
    buildTrigger: buildTriggerView(tokenAuthentication),
    obtainToken: obtainTokenView({
      store: seedStore,
      passwords,
      clock: systemClock,
      loginTokenLimit: 10,
    }),
  };
}

/** Listens on an ephemeral loopback port and returns the base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Closes a listening server, ending idle keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

async function userId(store: Store, username: string): Promise<number> {
  const user = await store.getUserByUsername(username);
  if (user === null) throw new Error(`no user ${username}`);
  return user.id;
}

/** A parity target for an app `serve` builds on an in-memory SQLite store. */
export function adapterParityTarget(name: string, serve: ServeSeedApp): ParityTarget {
  return {
    name,
    async start(): Promise<ParityApp> {
      const seed = await seedViews();
      const { store } = seed;
      const app = await serve(seed, { maxBodyBytes: 1024 * 1024, log: () => {} });
      return {
        baseUrl: app.baseUrl,
        async createUser(user) {
          await createUser(store, passwords, systemClock, user);
        },
        async issueDefaultToken(username) {
          const issued = await issueDefaultToken(store, await userId(store, username), systemClock);
          return issued.key;
        },
        async deactivateUser(username) {
          await store.updateUser(await userId(store, username), { isActive: false });
        },
        async deleteUser(username) {
          await store.deleteUser(await userId(store, username));
        },
        async close() {
          await app.close();
          await store.close();
        },
      };
    },
  };
}

/** Creates an active user with a default token on the seed's store; returns the key. */
export async function userWithKey(
  seed: SeedViews,
  username: string,
  password = 'correct-horse-battery',
): Promise<string> {
  const user = await createUser(seed.store, passwords, systemClock, { username, password });
  return (await issueDefaultToken(seed.store, user.id, systemClock)).key;
}
