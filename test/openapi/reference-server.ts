import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../../src/core/config/settings.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { systemClock } from '../../src/core/time/clock.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';

/** The reference server on a real socket over a fresh SQLite file, with one user. */
export interface RunningReferenceServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly username: string;
  readonly password: string;
  close(): Promise<void>;
}

/** Starts the reference server on 127.0.0.1 with a user `ann` whose password is `ann-password`. */
export async function startReferenceServer(
  extra: Partial<TesseraSettings> = {},
): Promise<RunningReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-openapi-'));
  const store = openSqliteStore({ filename: join(dir, 'db.sqlite3') });
  await store.migrate();
  const passwords = new PasswordHasher({ iterations: 1000 });
  const username = 'ann';
  const password = 'ann-password';
  await createUser(store, passwords, systemClock, { username, password });
  const settings: TesseraSettings = { ...DEFAULT_SETTINGS, passwordIterations: 1000, ...extra };
  const app = await buildServer({ store, settings, logger: false, passwords });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    store,
    username,
    password,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
