import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { viewListener } from '../../src/adapters/node.js';
import { IsAuthenticated } from '../../src/core/auth/permissions.js';
import { defineView } from '../../src/core/http/view.js';
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

const serveViews: ServeSeedApp = async (seed, { maxBodyBytes, log }) => {
  const server = createServer(
    viewListener(
      { '/api/build-trigger/': seed.buildTrigger, '/api-token-auth/': seed.obtainToken },
      { maxBodyBytes, reportError: (error) => log(inspect(error)) },
    ),
  );
  const baseUrl = await listenOnLoopback(server);
  return { baseUrl, close: () => closeServer(server) };
};

runDrfParitySuite(adapterParityTarget('node:http adapter, viewListener', serveViews));
runAdapterConformance('node:http adapter', serveViews);

describe('node:http adapter: viewListener', () => {
  test('route parameters and the authenticated user reach the handler; other paths get 404', async () => {
    const seed = await seedViews();
    const key = await userWithKey(seed, 'node_alice');
    const thing = defineView({
      authentication: [seed.tokenAuthentication],
      get: (request) => ({ data: { id: request.params.id, user: request.user.username } }),
    });
    const server = createServer(viewListener({ '/things/:id/': thing }));
    const baseUrl = await listenOnLoopback(server);
    try {
      const res = await sendRaw(baseUrl, {
        method: 'GET',
        path: '/things/caf%C3%A9/?format=json',
        headers: { Authorization: `Token ${key}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json');
      assert.equal(res.body, '{"id":"café","user":"node_alice"}');
      const missing = await sendRaw(baseUrl, { method: 'GET', path: '/things/' });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['content-type'], 'application/json');
      assert.equal(missing.body, '{"detail":"Not found."}');
    } finally {
      await closeServer(server);
      await seed.store.close();
    }
  });

  test("{ tessera }: its body limit; its token authentication's key-guessing limit", async () => {
    const seed = await seedViews();
    const tessera = createTessera({ store: seed.store, settings: { maxBodyBytes: 64 } });
    const echo = defineView({
      authentication: [tessera.tokenAuthentication],
      permissions: [IsAuthenticated],
      post: async (request) => ({ data: await request.data() }),
    });
    const server = createServer(
      viewListener({ '/echo/': echo, '/api-token-auth/': tessera.views.obtainToken }, { tessera }),
    );
    const baseUrl = await listenOnLoopback(server);
    try {
      const large = await sendRaw(baseUrl, {
        method: 'POST',
        path: '/api-token-auth/',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'u', password: 'x'.repeat(64) }),
      });
      assert.equal(large.status, 413);
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 61; attempt++) {
        const res = await sendRaw(baseUrl, {
          method: 'POST',
          path: '/echo/',
          headers: { Authorization: 'Token tsr_notakey' },
        });
        statuses.push(res.status);
      }
      assert.equal(statuses[59], 401);
      assert.equal(statuses[60], 429);
    } finally {
      await closeServer(server);
      await tessera.close();
      await seed.store.close();
    }
  });
});
