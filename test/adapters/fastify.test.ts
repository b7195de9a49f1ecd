import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { mountView, tessera } from '../../src/adapters/fastify.js';
import { IsAuthenticated } from '../../src/core/auth/permissions.js';
import { ValidationError } from '../../src/core/errors.js';
import { createTessera } from '../../src/core/tessera.js';
import { generateKey } from '../../src/core/tokens/key-format.js';
import { runDrfParitySuite } from '../parity/drf-parity-suite.js';
import { runAdapterConformance } from './adapter-conformance.js';
import {
  adapterParityTarget,
  type SeedViews,
  type ServeSeedApp,
  seedViews,
  userWithKey,
} from './seed-app.js';

/** A Fastify app whose pino logger writes each line to `log`. */
function fastifyWithLog(log: (entry: string) => void): FastifyInstance {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log(chunk.toString('utf8'));
      done();
    },
  });
  return Fastify({ logger: { level: 'error', stream } }) as unknown as FastifyInstance;
}

async function start(app: FastifyInstance) {
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return { baseUrl, close: () => app.close() };
}

/** Both seed views mounted as core views. */
const serveViews: ServeSeedApp = async (seed, { maxBodyBytes, log }) => {
  const app = fastifyWithLog(log);
  mountView(app, '/api/build-trigger/', seed.buildTrigger, { maxBodyBytes });
  mountView(app, '/api-token-auth/', seed.obtainToken, { maxBodyBytes });
  return start(app);
};

runDrfParitySuite(adapterParityTarget('Fastify 5 adapter, mountView', serveViews));
runAdapterConformance('Fastify 5 adapter', serveViews);

/** An app with the plugin on a tessera over `seed`'s store, and a few declared routes. */
async function pluginApp(seed: SeedViews, logged: string[] = []): Promise<FastifyInstance> {
  const app = fastifyWithLog((entry) => logged.push(entry));
  const wired = createTessera({ store: seed.store });
  app.addHook('onClose', () => wired.close());
  await app.register(tessera, { tessera: wired });
  app.post(
    '/api/build-trigger/',
    { config: { tessera: { name: 'Build Trigger', permissions: [IsAuthenticated] } } },
    async (request) => ({ triggered_by: request.user.username, kind: request.auth?.kind }),
  );
  app.get(
    '/things/:id/',
    { config: { tessera: { permissions: [IsAuthenticated] } } },
    async (request) => ({ id: (request.params as { id: string }).id }),
  );
  app.post('/invalid/', { config: { tessera: {} } }, async () => {
    throw new ValidationError({ name: ['This field is required.'] });
  });
  app.get('/open/', async (request) => ({ anonymous: !request.user.isAuthenticated }));
  return app;
}

describe('Fastify 5 adapter: the tessera plugin and config.tessera routes', () => {
  test('a handler reads request.user and request.auth without casts; Allow is added', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'fastify_alice');
    const app = await pluginApp(seed);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/build-trigger/',
        headers: { authorization: `Token ${key}` },
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, '{"triggered_by":"fastify_alice","kind":"default"}');
      assert.equal(res.headers.allow, 'POST, OPTIONS');
      const open = await app.inject({ method: 'GET', url: '/open/' });
      assert.equal(open.body, '{"anonymous":true}');
    } finally {
      await app.close();
      await seed.store.close();
    }
  });

  test('checks run in onRequest, before Fastify parses the body: 401, not a JSON error', async () => {
    const seed = await seedViews();
    const app = await pluginApp(seed);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/build-trigger/',
        headers: { 'content-type': 'application/json' },
        payload: '{"a":',
      });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], 'Token');
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(res.body, '{"detail":"Authentication credentials were not provided."}');
    } finally {
      await app.close();
      await seed.store.close();
    }
  });

  test('an unrouted method of a declared path: 401 first, then 405 with Allow, OPTIONS metadata', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'fastify_bob');
    const app = await pluginApp(seed);
    try {
      const anonymous = await app.inject({ method: 'GET', url: '/api/build-trigger/' });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.headers['www-authenticate'], 'Token');
      assert.equal(anonymous.headers.allow, 'POST, OPTIONS');
      const authorization = `Token ${key}`;
      const get = await app.inject({
        method: 'GET',
        url: '/api/build-trigger/?x=1',
        headers: { authorization },
      });
      assert.equal(get.statusCode, 405);
      assert.equal(get.body, '{"detail":"Method \\"GET\\" not allowed."}');
      assert.equal(get.headers.allow, 'POST, OPTIONS');
      const options = await app.inject({
        method: 'OPTIONS',
        url: '/api/build-trigger/',
        headers: { authorization },
      });
      assert.equal(options.statusCode, 200);
      assert.equal(JSON.parse(options.body).name, 'Build Trigger');
      const param = await app.inject({
        method: 'DELETE',
        url: '/things/7/',
        headers: { authorization },
      });
      assert.equal(param.statusCode, 405);
      assert.equal(param.headers.allow, 'GET, HEAD, OPTIONS');
      const found = await app.inject({
        method: 'GET',
        url: '/things/7/',
        headers: { authorization },
      });
      assert.equal(found.body, '{"id":"7"}');
      const head = await app.inject({ method: 'HEAD', url: '/things/7/' });
      assert.equal(head.statusCode, 401);
      const unknown = await app.inject({ method: 'GET', url: '/nowhere/' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.headers['www-authenticate'], undefined);
    } finally {
      await app.close();
      await seed.store.close();
    }
  });

  test("a handler's errors are rendered as DRF does; Fastify's own 4xx stay Fastify's", async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'fastify_carol');
    const logged: string[] = [];
    const app = await pluginApp(seed, logged);
    app.post('/bug/', { config: { tessera: {} } }, async () => {
      throw new Error('bug');
    });
    try {
      const res = await app.inject({ method: 'POST', url: '/invalid/' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(res.headers.allow, 'POST, OPTIONS');
      assert.equal(res.body, '{"name":["This field is required."]}');
      const bug = await app.inject({ method: 'POST', url: '/bug/' });
      assert.equal(bug.statusCode, 500);
      assert.equal(bug.body, '{"detail":"A server error occurred."}');
      assert.match(logged.join(''), /"message":"bug"/);
      const malformed = await app.inject({
        method: 'POST',
        url: '/api/build-trigger/',
        headers: { authorization: `Token ${key}`, 'content-type': 'application/json' },
        payload: '{"a":',
      });
      assert.equal(malformed.statusCode, 400);
      assert.equal(JSON.parse(malformed.body).code, 'FST_ERR_CTP_INVALID_JSON_BODY');
    } finally {
      await app.close();
      await seed.store.close();
    }
  });

  test("the plugin's default authentication is the tessera's: the 61st bad key from one address → 429", async () => {
    const seed = await seedViews();
    const app = await pluginApp(seed);
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 61; attempt++) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/build-trigger/',
          headers: { authorization: `Token ${generateKey()}` },
        });
        statuses.push(res.statusCode);
      }
      assert.deepEqual(statuses.slice(0, 60), Array(60).fill(401));
      assert.equal(statuses[60], 429);
    } finally {
      await app.close();
      await seed.store.close();
    }
  });

  test('a JavaScript caller passing { store } is told to pass { tessera }', async () => {
    const seed = await seedViews();
    const app = Fastify();
    try {
      await assert.rejects(
        async () => {
          await app.register(tessera, { store: seed.store } as object);
          await app.ready();
        },
        { name: 'TypeError', message: /takes \{ tessera \}/ },
      );
    } finally {
      await app.close().catch(() => {});
      await seed.store.close();
    }
  });
});
