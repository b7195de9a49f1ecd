// The reference server in its own process, for benchmarks whose load generator must not share
// the server's event loop. Started by `startBenchServer` (bench-server.ts); not run by hand.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SETTINGS,
  type TesseraSettings,
  THROTTLING_OFF,
} from '../src/core/config/settings.js';
import { encodePbkdf2, generateSalt } from '../src/core/passwords/django-pbkdf2.js';
import { PasswordHasher } from '../src/core/passwords/index.js';
import { systemClock } from '../src/core/time/clock.js';
import { issueDefaultToken } from '../src/core/tokens/token-issuer.js';
import { createUser } from '../src/core/users/users.js';
import { buildServer } from '../src/server/app.js';
import { openSqliteStore } from '../src/stores/sqlite/index.js';
import type { BenchServerConfig, BenchServerReady } from './bench-server.js';

const config = JSON.parse(process.env.TESSERA_BENCH_SERVER ?? '{}') as BenchServerConfig;
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-server-'));
const filename = join(dir, 'db.sqlite3');
// Benchmarks measure the server as shipped, minus the failure limits (a flood would be 429s).
const settings: TesseraSettings = {
  ...DEFAULT_SETTINGS,
  ...THROTTLING_OFF,
  databaseUrl: `sqlite:${filename}`,
  passwordIterations: config.iterations,
  logLevel: 'silent',
  ...config.settings,
};
const store = openSqliteStore({ filename });
await store.migrate();
const passwords = new PasswordHasher({ iterations: settings.passwordIterations });
const alice = await createUser(store, passwords, systemClock, {
  username: 'alice',
  password: 'alice-password',
});
const { key } = await issueDefaultToken(store, alice.id, systemClock);
const older = await createUser(store, passwords, systemClock, {
  username: 'olga',
  password: 'olga-password',
});
// A user whose stored hash predates the current count, as after raising TESSERA_PASSWORD_ITERATIONS.
await store.updateUser(older.id, {
  password: await encodePbkdf2('olga-password', generateSalt(), config.olderIterations),
});
const app = await buildServer({ store, settings, logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const ready: BenchServerReady = {
  url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
  key,
};
process.send?.(ready);
process.on('disconnect', async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
