import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { errorHandler, mountView, protect, type TesseraEnv } from '../../src/adapters/hono.js';
import { IsAuthenticated } from '../../src/core/auth/permissions.js';
import { PermissionDenied, ValidationError } from '../../src/core/errors.js';
import { createTessera } from '../../src/core/tessera.js';
import { runDrfParitySuite } from '../parity/drf-parity-suite.js';
import { sendRaw } from '../parity/raw-http-client.js';
import { runAdapterConformance } from './adapter-conformance.js';
import {
  adapterParityTarget,
  closeServer,
  listenOnLoopback,
  type ServeSeedApp,
  seedViews,
  userWithKey,
} from './seed-app.js';

async function start(app: Hono) {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const baseUrl = await listenOnLoopback(server);
  return { baseUrl, close: () => closeServer(server) };
}

/** Both seed views mounted as core views. */
const serveViews: ServeSeedApp = async (seed, { maxBodyBytes, log }) => {
  const app = new Hono();
  const options = { maxBodyBytes, reportError: (error: unknown) => log(inspect(error)) };
  mountView(app, '/api/build-trigger/', seed.buildTrigger, options);
  mountView(app, '/api-token-auth/', seed.obtainToken, options);
  return start(app);
};

/** build-trigger in Hono's idiom: `protect` middleware on the path, then a Hono handler. */
const serveNative: ServeSeedApp = async (seed, { maxBodyBytes, log }) => {
  const app = new Hono();
  const reportError = (error: unknown) => log(inspect(error));
  app.use(
    '/api/build-trigger/',
    protect({
      name: 'Build Trigger',
      authentication: [seed.tokenAuthentication],
      permissions: [IsAuthenticated],
      methods: ['POST'],
      reportError,
    }),
  );
  app.post('/api/build-trigger/', (c) => c.body(null, 200));
  mountView(app, '/api-token-auth/', seed.obtainToken, { maxBodyBytes, reportError });
  app.onError(errorHandler({ reportError }));
  return start(app);
};

runDrfParitySuite(adapterParityTarget('Hono 4 adapter (node-server), mountView', serveViews));
runDrfParitySuite(adapterParityTarget('Hono 4 adapter, protect + Hono handler', serveNative));
runAdapterConformance('Hono 4 adapter (node-server)', serveViews);

describe('Hono 4 adapter: protect and errorHandler', () => {
  test("a handler reads c.get('user') and c.get('auth') typed; Allow is on its answer", async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'hono_alice');
    const app = new Hono<TesseraEnv>();
    app.use('/me/', protect({ authentication: [seed.tokenAuthentication], methods: ['GET'] }));
    app.get('/me/', (c) =>
      c.json({ username: c.get('user').username, kind: c.get('auth')?.kind ?? null }),
    );
    try {
      const res = await app.request('/me/', { headers: { Authorization: `Token ${key}` } });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '{"username":"hono_alice","kind":"default"}');
      assert.equal(res.headers.get('allow'), 'GET, HEAD, OPTIONS');
      const post = await app.request('/me/', { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS');
    } finally {
      await seed.store.close();
    }
  });

  test("protect({ tessera }) authenticates with the tessera's token authentication; its variables type the handler inline", async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'hono_bob');
    const tessera = createTessera({ store: seed.store });
    // No generic on the app: the middleware's variables reach the handler after it.
    const app = new Hono();
    app.post('/me/', protect({ tessera, permissions: [IsAuthenticated], methods: ['POST'] }), (c) =>
      c.json({ username: c.get('user').username, kind: c.get('auth')?.kind ?? null }),
    );
    try {
      const anonymous = await app.request('/me/', { method: 'POST' });
      assert.equal(anonymous.status, 401);
      const res = await app.request('/me/', {
        method: 'POST',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '{"username":"hono_bob","kind":"default"}');
    } finally {
      await tessera.close();
      await seed.store.close();
    }
  });

  test('errorHandler renders ApiErrors thrown by handlers as DRF does', async () => {
    const seed = await seedViews();
    const app = new Hono();
    app.use('/things/', protect({ authentication: [seed.tokenAuthentication], methods: ['POST'] }));
    app.post('/things/', () => {
      throw new ValidationError({ name: ['This field is required.'] });
    });
    app.get('/plain/', () => {
      throw new PermissionDenied();
    });
    app.get('/bug/', () => {
      throw new Error('bug');
    });
    const reported: unknown[] = [];
    app.onError(errorHandler({ reportError: (error) => reported.push(error) }));
    try {
      const res = await app.request('/things/', { method: 'POST' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(res.headers.get('allow'), 'POST, OPTIONS');
      assert.equal(await res.text(), '{"name":["This field is required."]}');
      const plain = await app.request('/plain/');
      assert.equal(plain.status, 403);
      assert.equal(plain.headers.get('allow'), null);
      assert.equal(
        await plain.text(),
        '{"detail":"You do not have permission to perform this action."}',
      );
      const bug = await app.request('/bug/');
      assert.equal(bug.status, 500);
      assert.equal(reported.length, 1);
    } finally {
      await seed.store.close();
    }
  });

  test('latin-1 header bytes reach the authenticator through node-server unchanged', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'hono_latin1');
    const app = new Hono();
    mountView(app, '/api/build-trigger/', seed.buildTrigger);
    const server = await start(app);
    try {
      const res = await sendRaw(server.baseUrl, {
        method: 'POST',
        path: '/api/build-trigger/',
        headers: { Authorization: `Token ${key}\xb8` },
      });
      assert.equal(res.status, 401);
      assert.equal(
        res.body,
        '{"detail":"Invalid token header. Token string should not contain invalid characters."}',
      );
    } finally {
      await server.close();
      await seed.store.close();
    }
  });
});
