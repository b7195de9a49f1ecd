// One throughput server in its own process, started by `startThroughputServer`
// (throughput-server.ts); not run by hand. It serves the seed's POST /api/build-trigger/ through
// tessera and, in the same app, a bare route answering the same 200 without the check.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bearerAuth from '@fastify/bearer-auth';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { mountView as mountExpressView } from '../src/adapters/express.js';
import { mountView as mountHonoView } from '../src/adapters/hono.js';
import {
  DEFAULT_SETTINGS,
  settingsOwnedBy,
  type TesseraSettings,
} from '../src/core/config/settings.js';
import { settingsFromEnv } from '../src/core/config/settings-from-env.js';
import { PasswordHasher } from '../src/core/passwords/index.js';
import type { Store } from '../src/core/store.js';
import { createTessera } from '../src/core/tessera.js';
import { systemClock } from '../src/core/time/clock.js';
import { generateKey } from '../src/core/tokens/key-format.js';
import { issueDefaultToken } from '../src/core/tokens/token-issuer.js';
import { createUser } from '../src/core/users/users.js';
import { buildServer } from '../src/server/app.js';
import { buildTriggerView } from '../src/server/build-trigger.js';
import { serve } from '../src/server/serve.js';
import { openStore } from '../src/stores/open-store.js';
import { openSqliteStore } from '../src/stores/sqlite/index.js';
import { betterAuthKeyCheck } from './better-auth-peer.js';
import type {
  ServedRoute,
  ThroughputServerConfig,
  ThroughputServerReady,
} from './throughput-server.js';

const config = JSON.parse(process.env.TESSERA_THROUGHPUT_SERVER ?? '{}') as ThroughputServerConfig;
const dir = mkdtempSync(join(tmpdir(), 'tessera-throughput-'));
const filename = join(dir, 'db.sqlite3');
// The server as shipped (failure limits on, last-used recording on), logging at `warn`: the
// per-request line is skipped by its level on both routes, so the ratio is tessera's cost alone.
const settings: TesseraSettings = {
  ...DEFAULT_SETTINGS,
  databaseUrl: config.databaseUrl ?? `sqlite:${filename}`,
  tokenCacheSeconds: config.tokenCacheSeconds,
  logLevel: 'warn',
};
const store: Store = config.databaseUrl
  ? await openStore(settingsOwnedBy('store', settings))
  : openSqliteStore({ filename });
await store.migrate();
// Few iterations: nobody logs in here, the user only needs a key.
const passwords = new PasswordHasher({ iterations: 1000 });
const alice = await createUser(store, passwords, systemClock, {
  username: 'alice',
  password: 'alice-password',
});
const { key } = await issueDefaultToken(store, alice.id, systemClock);
const tokenHeaders = { Authorization: `Token ${key}` };
const ALLOW = 'POST, OPTIONS';
const routes: Record<string, ServedRoute> = {
  tessera: { path: '/api/build-trigger/', headers: tokenHeaders },
  // The bare route gets the same request, header included, and answers what tessera answers.
  bare: { path: '/bare/build-trigger/', headers: tokenHeaders },
};
const cleanups: (() => unknown)[] = [];

async function fastifyApp(): Promise<Server> {
  // Fastify's routes answer both routes: these groups measure the Fastify adapter.
  const app: FastifyInstance = await buildServer({
    store,
    settings,
    passwords,
    directViews: false,
  });
  app.post('/bare/build-trigger/', async (_request, reply) =>
    reply.code(200).headers({ allow: ALLOW }).send(),
  );
  if (config.bearerAuth) {
    const bearerKey = generateKey();
    // Encapsulated: the plugin's onRequest hook guards this route only.
    await app.register(async (scope) => {
      await scope.register(bearerAuth, { keys: new Set([bearerKey]) });
      scope.post('/bearer-auth/build-trigger/', async (_request, reply) =>
        reply.code(200).headers({ allow: ALLOW }).send(),
      );
    });
    routes['bearer-auth'] = {
      path: '/bearer-auth/build-trigger/',
      headers: { Authorization: `Bearer ${bearerKey}` },
    };
  }
  if (config.betterAuthPeers) {
    const check = await betterAuthKeyCheck(
      config.betterAuthPeers,
      join(dir, 'better-auth.sqlite3'),
    );
    cleanups.push(() => check.close());
    app.post('/better-auth/build-trigger/', async (request, reply) => {
      const candidate = request.headers['x-api-key'];
      if (typeof candidate !== 'string' || !(await check.verify(candidate))) {
        return reply.code(401).send();
      }
      return reply.code(200).headers({ allow: ALLOW }).send();
    });
    routes['better-auth'] = {
      path: '/better-auth/build-trigger/',
      headers: { 'x-api-key': check.key },
    };
  }
  cleanups.push(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  return app.server;
}

function expressApp(): Server {
  const tessera = createTessera({
    store,
    settings: settingsOwnedBy('library', settings),
    passwords,
  });
  cleanups.push(() => tessera.close());
  const app = express();
  mountExpressView(app, '/api/build-trigger/', buildTriggerView(tessera.tokenAuthentication), {
    maxBodyBytes: settings.maxBodyBytes,
  });
  app.post('/bare/build-trigger/', (_request, response) => {
    response.writeHead(200, { allow: ALLOW });
    response.end();
  });
  return createServer(app);
}

function honoApp(): Server {
  const tessera = createTessera({
    store,
    settings: settingsOwnedBy('library', settings),
    passwords,
  });
  cleanups.push(() => tessera.close());
  const app = new Hono();
  mountHonoView(app, '/api/build-trigger/', buildTriggerView(tessera.tokenAuthentication), {
    maxBodyBytes: settings.maxBodyBytes,
  });
  app.post(
    '/bare/build-trigger/',
    () => new Response(null, { status: 200, headers: { allow: ALLOW } }),
  );
  return createAdaptorServer({ fetch: app.fetch }) as Server;
}

async function listen(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  cleanups.unshift(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
}

// `tessera serve` as shipped: the defaults (the environment's TESSERA_* variables are not read),
// the store the CLI opens, and `serve()`, logging included. The bare route is a plain Fastify app.
async function shippedServer(): Promise<Server> {
  process.chdir(dir);
  const shippedSettings: TesseraSettings = {
    ...settingsFromEnv({}),
    host: '127.0.0.1',
    port: 0,
    ...(config.shipped?.logLevel ? { logLevel: config.shipped.logLevel } : {}),
    ...(config.shipped?.accessLog ? { accessLog: true } : {}),
  };
  const shippedStore = await openStore(settingsOwnedBy('store', shippedSettings));
  await shippedStore.migrate();
  const bob = await createUser(shippedStore, passwords, systemClock, {
    username: 'bob',
    password: 'bob-password',
  });
  const shippedKey = (await issueDefaultToken(shippedStore, bob.id, systemClock)).key;
  const running = await serve(shippedStore, shippedSettings);
  cleanups.push(() => running.close());
  const bareApp = Fastify();
  bareApp.post('/bare/build-trigger/', async (_request, reply) =>
    reply.code(200).headers({ allow: ALLOW }).send(),
  );
  await bareApp.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(() => bareApp.close());
  const bareUrl = `http://127.0.0.1:${(bareApp.server.address() as AddressInfo).port}`;
  const headers = { Authorization: `Token ${shippedKey}` };
  routes.tessera = { path: '/api/build-trigger/', headers };
  routes.bare = { path: `${bareUrl}/bare/build-trigger/`, headers };
  return running.app.server;
}

let server: Server;
if (config.shipped) {
  server = await shippedServer();
} else if (config.framework === 'fastify') {
  server = await fastifyApp();
} else {
  server = config.framework === 'express' ? expressApp() : honoApp();
  await listen(server);
}
const ready: ThroughputServerReady = {
  url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  routes,
};
process.send?.(ready);
process.on('disconnect', async () => {
  for (const cleanup of cleanups) await cleanup();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
