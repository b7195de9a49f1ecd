import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_SETTINGS, type TesseraSettings } from '../../src/core/config/settings.js';
import type { TesseraEventMap } from '../../src/core/events.js';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import type { Store } from '../../src/core/store.js';
import { createTessera, type Tessera } from '../../src/core/tessera.js';
import { systemClock } from '../../src/core/time/clock.js';
import { createUser } from '../../src/core/users/users.js';
import { buildServer } from '../../src/server/app.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';

/** The password every user of the admin test server has. */
export const PASSWORD = 'correct horse 1';

/** The reference server on a real socket over a fresh SQLite file, with staff and other users. */
export interface RunningAdminServer {
  readonly url: string;
  readonly origin: string;
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly tessera: Tessera;
  readonly passwords: PasswordHasher;
  /** Every `admin_action` event so far. */
  readonly actions: TesseraEventMap['admin_action'][];
  close(): Promise<void>;
}

/**
 * Starts the reference server with users `staff` (staff), `root` (superuser), `ann` (ordinary),
 * `bob` (staff) and `gone` (inactive staff), all with `PASSWORD`.
 */
export async function startAdminServer(
  extra: Partial<TesseraSettings> = {},
): Promise<RunningAdminServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-admin-'));
  const store = openSqliteStore({ filename: join(dir, 'db.sqlite3') });
  await store.migrate();
  const passwords = new PasswordHasher({ iterations: 1000 });
  const users = [
    { username: 'staff', isStaff: true },
    { username: 'root', isStaff: true, isSuperuser: true },
    { username: 'ann' },
    { username: 'bob', isStaff: true },
    { username: 'gone', isStaff: true, isActive: false },
  ];
  for (const user of users) {
    const created = await createUser(store, passwords, systemClock, {
      ...user,
      password: PASSWORD,
    });
    if (user.isActive === false) await store.updateUser(created.id, { isActive: false });
  }
  const settings: TesseraSettings = { ...DEFAULT_SETTINGS, passwordIterations: 1000, ...extra };
  const { settingsOwnedBy } = await import('../../src/core/config/settings.js');
  const tessera = createTessera({
    store,
    settings: settingsOwnedBy('library', settings),
    passwords,
  });
  const actions: TesseraEventMap['admin_action'][] = [];
  tessera.events.on('admin_action', (event) => actions.push(event));
  const app = await buildServer({ store, settings, logger: false, passwords, tessera });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    origin: new URL(url).origin,
    app,
    store,
    tessera,
    passwords,
    actions,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
