import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import express from 'express';
import { errorHandler, mountView, protect } from '../../src/adapters/express.js';
import { IsAuthenticated } from '../../src/core/auth/permissions.js';
import { PermissionDenied, ValidationError } from '../../src/core/errors.js';
import { createTessera } from '../../src/core/tessera.js';
import { generateKey } from '../../src/core/tokens/key-format.js';
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
  test('a handler reads req.tessera.user and .auth without casts; Allow is on its answer', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'express_alice');
    const app = express();
    app
      .route('/me/')
      .all(protect({ authentication: [seed.tokenAuthentication], methods: ['GET'] }))
      .get((request, response) => {
        response.json({
          username: request.tessera.user.username,
          kind: request.tessera.auth?.kind ?? null,
        });
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

  test("on a protected route, a bug is DRF's 500 (reported); a body-parser 400 is DRF-shaped", async () => {
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
      assert.equal(malformed.headers['content-type'], 'application/json');
      assert.equal(
        malformed.body,
        '{"detail":"JSON parse error - Expecting value: line 1 column 6 (char 5)"}',
      );
      assert.equal(reported.length, 1);
    } finally {
      await server.close();
      await seed.store.close();
    }
  });
});

describe('Express 5 adapter: an app that parses bodies before tessera (app.use(express.json()))', () => {
  const PASSWORD = 'Sesame-never-logged-42';

  /** Records what reaches console.error while `run` runs (Express's default error logging). */
  async function consoleErrors(run: () => Promise<void>): Promise<string[]> {
    const lines: string[] = [];
    const original = console.error;
    console.error = (...parts: unknown[]) => {
      lines.push(parts.map((part) => inspect(part)).join(' '));
    };
    try {
      await run();
    } finally {
      console.error = original;
    }
    return lines;
  }

  async function hostParsingApp() {
    const seed = await seedViews();
    await userWithKey(seed, 'express_parsed', PASSWORD);
    const tessera = createTessera({ store: seed.store });
    const logged: string[] = [];
    const reportError = (error: unknown) => logged.push(inspect(error));
    const app = express();
    app.use(express.json());
    app.use(express.urlencoded({ extended: false }));
    mountView(app, '/api-token-auth/', seed.obtainToken, { tessera, reportError });
    app
      .route('/echo/')
      .all(protect({ tessera, permissions: [IsAuthenticated], methods: ['POST'], reportError }))
      .post((request, response) => {
        response.json({ body: request.body as unknown });
      });
    app.use(errorHandler({ reportError }));
    const server = await start(app);
    return {
      seed,
      logged,
      server,
      async close() {
        await server.close();
        await tessera.close();
        await seed.store.close();
      },
    };
  }

  test('a JSON login and a form login answer 200 with the token', async () => {
    const app = await hostParsingApp();
    try {
      const json = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'express_parsed', password: PASSWORD }),
      });
      assert.equal(json.status, 200, json.body);
      assert.match(json.body, /^\{"token":"tsr_[0-9A-Za-z]{38}"\}$/);
      const form = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        // DRF's QueryDict: a repeated field is its last value.
        body: `username=someone&username=express_parsed&password=${PASSWORD}`,
      });
      assert.equal(form.status, 200, form.body);
      const missing = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/json' },
        body: '{"username":"express_parsed"}',
      });
      assert.equal(missing.status, 400);
      assert.equal(missing.body, '{"password":["This field is required."]}');
    } finally {
      await app.close();
    }
  });

  test('malformed JSON → DRF-shaped 400 without body bytes; the password reaches no log', async () => {
    const app = await hostParsingApp();
    try {
      const body = `{"username":"express_parsed","password":"${PASSWORD}",}`;
      let res: Awaited<ReturnType<typeof sendRaw>> | undefined;
      const printed = await consoleErrors(async () => {
        res = await sendRaw(app.server.baseUrl, {
          method: 'POST',
          path: '/api-token-auth/',
          headers: { 'Content-Type': 'application/json' },
          body,
        });
      });
      assert.equal(res?.status, 400);
      assert.equal(res?.headers['content-type'], 'application/json');
      // Python's message for this body, as DRF gives it.
      assert.equal(
        res?.body,
        '{"detail":"JSON parse error - Expecting property name enclosed in double quotes: line 1 column 66 (char 65)"}',
      );
      assert.deepEqual(app.logged, []);
      for (const line of printed) assert.ok(!line.includes(PASSWORD), line);
      const tooLarge = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/echo/',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ password: PASSWORD, padding: 'x'.repeat(200 * 1024) }),
      });
      assert.equal(tooLarge.status, 413);
      assert.equal(tooLarge.body, '{"detail":"Request body is too large."}');
      assert.deepEqual(app.logged, []);
    } finally {
      await app.close();
    }
  });

  test("protect answers first; the handler reads the host's parsed body", async () => {
    const app = await hostParsingApp();
    try {
      const key = await userWithKey(app.seed, 'express_echo');
      const anonymous = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/echo/',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a":1}',
      });
      assert.equal(anonymous.status, 401);
      const res = await sendRaw(app.server.baseUrl, {
        method: 'POST',
        path: '/echo/',
        headers: { 'Content-Type': 'application/json', Authorization: `Token ${key}` },
        body: '{"a":1}',
      });
      assert.equal(res.status, 200);
      assert.equal(res.body, '{"body":{"a":1}}');
    } finally {
      await app.close();
    }
  });

  test('protect({ tessera }) authenticates with its key-guessing limit: the 61st bad key → 429', async () => {
    const app = await hostParsingApp();
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 61; attempt++) {
        const res = await sendRaw(app.server.baseUrl, {
          method: 'POST',
          path: '/echo/',
          headers: { Authorization: `Token ${generateKey()}` },
        });
        statuses.push(res.status);
      }
      assert.deepEqual(statuses.slice(0, 60), Array(60).fill(401));
      assert.equal(statuses[60], 429);
    } finally {
      await app.close();
    }
  });
});
