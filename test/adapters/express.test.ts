import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import express from 'express';
import { errorHandler, mountView, protect } from '../../src/adapters/express.js';
import { IsAuthenticated } from '../../src/core/auth/permissions.js';
import { PermissionDenied, ValidationError } from '../../src/core/errors.js';
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

async function start(app: express.Express) {
  const server = createServer(app);
  const baseUrl = await listenOnLoopback(server);
  return { baseUrl, close: () => closeServer(server) };
}

/** Both seed views mounted as core views. */
const serveViews: ServeSeedApp = async (seed, { maxBodyBytes, log }) => {
  const app = express();
  const options = { maxBodyBytes, reportError: (error: unknown) => log(inspect(error)) };
  mountView(app, '/api/build-trigger/', seed.buildTrigger, options);
  mountView(app, '/api-token-auth/', seed.obtainToken, options);
  return start(app);
};

/** build-trigger in Express's idiom: `protect` on the route, then an Express handler. */
const serveNative: ServeSeedApp = async (seed, { maxBodyBytes, log }) => {
  const app = express();
  const reportError = (error: unknown) => log(inspect(error));
  app
    .route('/api/build-trigger/')
    .all(
      protect({
        name: 'Build Trigger',
        authentication: [seed.tokenAuthentication],
        permissions: [IsAuthenticated],
        methods: ['POST'],
        reportError,
      }),
    )
    .post((_request, response) => {
      response.status(200).end();
    });
  mountView(app, '/api-token-auth/', seed.obtainToken, { maxBodyBytes, reportError });
  app.use(errorHandler({ reportError }));
  return start(app);
};

runDrfParitySuite(adapterParityTarget('Express 5 adapter, mountView', serveViews));
runDrfParitySuite(adapterParityTarget('Express 5 adapter, protect + Express handler', serveNative));
runAdapterConformance('Express 5 adapter', serveViews);

describe('Express 5 adapter: protect and errorHandler', () => {
  test('a handler reads req.user and req.auth without casts; Allow is on its answer', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'express_alice');
    const app = express();
    app
      .route('/me/')
      .all(protect({ authentication: [seed.tokenAuthentication], methods: ['GET'] }))
      .get((request, response) => {
        response.json({ username: request.user.username, kind: request.auth?.kind ?? null });
      });
    const server = await start(app);
    try {
      const res = await sendRaw(server.baseUrl, {
        method: 'GET',
        path: '/me/',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '{"username":"express_alice","kind":"default"}');
      assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
      const anonymous = await sendRaw(server.baseUrl, { method: 'GET', path: '/me/' });
      assert.equal(anonymous.body, '{"username":"","kind":null}');
    } finally {
      await server.close();
      await seed.store.close();
    }
  });

  test('errorHandler renders an ApiError thrown by a protected handler as DRF does', async () => {
    const seed = await seedViews();
    const app = express();
    app
      .route('/things/')
      .all(protect({ authentication: [seed.tokenAuthentication], methods: ['POST'] }))
      .post(() => {
        throw new ValidationError({ name: ['This field is required.'] });
      });
    app.get('/plain/', () => {
      throw new PermissionDenied();
    });
    app.use(errorHandler());
    const server = await start(app);
    try {
      const res = await sendRaw(server.baseUrl, { method: 'POST', path: '/things/' });
      assert.equal(res.status, 400);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(res.headers.allow, 'POST, OPTIONS');
      assert.equal(res.body, '{"name":["This field is required."]}');
      const plain = await sendRaw(server.baseUrl, { method: 'GET', path: '/plain/' });
      assert.equal(plain.status, 403);
      assert.equal(plain.headers['content-type'], 'application/json');
      assert.equal(plain.headers.allow, undefined);
      assert.equal(plain.body, '{"detail":"You do not have permission to perform this action."}');
    } finally {
      await server.close();
      await seed.store.close();
    }
  });

  test("on a protected route, a bug is DRF's 500 (reported); a body-parser 400 stays Express's", async () => {
    const seed = await seedViews();
    const reported: unknown[] = [];
    const app = express();
    app
      .route('/bug/')
      .all(protect({ authentication: [seed.tokenAuthentication], methods: ['POST'] }))
      .post(express.json(), () => {
        throw new Error('bug');
      });
    app.use(errorHandler({ reportError: (error) => reported.push(error) }));
    const server = await start(app);
    try {
      const bug = await sendRaw(server.baseUrl, { method: 'POST', path: '/bug/' });
      assert.equal(bug.status, 500);
      assert.equal(bug.headers['content-type'], 'application/json');
      assert.equal(bug.body, '{"detail":"A server error occurred."}');
      assert.equal(reported.length, 1);
      const malformed = await sendRaw(server.baseUrl, {
        method: 'POST',
        path: '/bug/',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":',
      });
      assert.equal(malformed.status, 400);
      assert.match(malformed.headers['content-type'] ?? '', /^text\/html/);
    } finally {
      await server.close();
      await seed.store.close();
    }
  });

  test('a view mounted after express.json() fails loudly instead of seeing an empty body', async () => {
    const seed = await seedViews();
    const logged: string[] = [];
    const app = express();
    app.use(express.json());
    mountView(app, '/api-token-auth/', seed.obtainToken, {
      reportError: (error) => logged.push(String(error)),
    });
    const server = await start(app);
    try {
      const res = await sendRaw(server.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/json' },
        body: '{"username":"a","password":"b"}',
      });
      assert.equal(res.status, 500);
      assert.match(logged.join('\n'), /already read by another body parser/);
    } finally {
      await server.close();
      await seed.store.close();
    }
  });
});
