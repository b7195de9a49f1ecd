import type { AddressInfo } from 'node:net';
import {
  DEFAULT_SETTINGS,
  type TesseraSettings,
  THROTTLING_OFF,
} from '../../src/core/config/settings.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { systemClock } from '../../src/core/time/clock.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import type { ParityApp, ParityTarget } from './parity-target.js';

// Few iterations keep user creation fast; the hash format is the same as in production. The
// suite sends many failing requests from one address: the failure limits are switched off.
const settings: TesseraSettings = {
  ...DEFAULT_SETTINGS,
  ...THROTTLING_OFF,
  passwordIterations: 1000,
  databaseUrl: 'sqlite::memory:',
};

/** The user's id, or a thrown error naming the missing user (a broken test, not a parity gap). */
async function userId(store: Store, username: string): Promise<number> {
  const user = await store.getUserByUsername(username);
  if (user === null) throw new Error(`no user ${username}`);
  return user.id;
}

/**
 * tessera's reference server (Fastify) on a store `openFreshStore` opens on an empty database,
 * migrated here, served on a real socket, with `overrides` of the settings; closing the app
 * closes the store.
 * @example
 * runDrfParitySuite(referenceServerTarget('… SQLite', async () => openSqliteStore(…)));
 */
export function referenceServerTarget(
  name: string,
  openFreshStore: () => Promise<Store>,
  overrides: Partial<TesseraSettings> = {},
): ParityTarget {
  return {
    name,
    async start(): Promise<ParityApp> {
      const store = await openFreshStore();
      await store.migrate();
      const passwords = new PasswordHasher({ iterations: settings.passwordIterations });
      const app = await buildServer({
        store,
        settings: { ...settings, ...overrides },
        logger: false,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      return {
        baseUrl: `http://127.0.0.1:${port}`,
        async createUser(user) {
          await createUser(store, passwords, systemClock, user);
        },
        async issueDefaultToken(username) {
          const { key } = await issueDefaultToken(
            store,
            await userId(store, username),
            systemClock,
          );
          return key;
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
