import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { FreshDatabases } from '../stores/fresh-database.js';
import { type NodeEnv, ServerNode, tessera, within } from './node-process.js';

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
// With PostgreSQL LISTEN or Redis, a revocation reaches every node's cache in milliseconds; the
// README documents "within a second". Without the cache the very next request is refused.
const PROPAGATION_BOUND_MS = 1000;
const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user /;

/**
 * Two reference-server processes on one PostgreSQL database: a token minted through node A works
 * on node B, then the CLI (a third process) revokes it, and both nodes refuse it.
 */
function scenario(name: string, extraEnv: NodeEnv, cacheOn: boolean) {
  describe(`two nodes on one PostgreSQL: ${name}`, () => {
    const databases = new FreshDatabases('postgres');
    let env: NodeEnv;
    let databaseUrl = '';
    let nodes: ServerNode[] = [];
    let adminKey = '';

    before(async () => {
      const { url } = await databases.create();
      databaseUrl = url;
      env = { DATABASE_URL: url, ...extraEnv };
      tessera(env, ['migrate']);
      tessera(env, ['users', 'add', 'alice']);
      adminKey = KEY_LINE.exec(tessera(env, ['drf_create_token', 'alice']))?.[1] ?? '';
      nodes = await Promise.all([ServerNode.start(env), ServerNode.start(env)]);
    });
    after(async () => {
      await Promise.all(nodes.map((node) => node.stop()));
      await databases.dropAll();
    });

    async function mint(tokenName: string): Promise<{ id: number; key: string }> {
      const [nodeA] = nodes;
      const created = await nodeA?.post('/api/tokens/', adminKey, {
        name: tokenName,
        scopes: ['builds:trigger'],
      });
      assert.equal(created?.status, 201, created?.body);
      return JSON.parse(created?.body ?? '{}');
    }

    async function refusedEverywhere(key: string, detail: string): Promise<number> {
      return within(PROPAGATION_BOUND_MS, 'every node refusing the token', async () => {
        const answers = await Promise.all(
          nodes.map((node) => node.post('/api/build-trigger/', key)),
        );
        return answers.every((answer) => answer.status === 401 && answer.body === detail);
      });
    }

    test('a token created on node A works on node B; the CLI revokes it; both refuse it', async () => {
      const [nodeA, nodeB] = nodes as [ServerNode, ServerNode];
      const { id, key } = await mint('ci');
      for (let i = 0; i < 3; i++) {
        assert.equal((await nodeB.post('/api/build-trigger/', key)).status, 200);
        assert.equal((await nodeA.post('/api/build-trigger/', key)).status, 200);
      }
      tessera(env, ['tokens', 'revoke', String(id)]);
      if (!cacheOn) {
        // No cache: the first request after the CLI returns is refused, on both nodes.
        for (const node of nodes) {
          assert.equal(
            (await node.post('/api/build-trigger/', key)).body,
            '{"detail":"Invalid token."}',
          );
        }
      }
      const took = await refusedEverywhere(key, '{"detail":"Invalid token."}');
      assert.ok(took < PROPAGATION_BOUND_MS);
    });

    test(`a row deleted behind tessera's back is ${cacheOn ? 'still served from the caches' : 'refused at once'}`, async () => {
      const { id, key } = await mint('bypassed');
      await Promise.all(
        nodes.map(async (node) =>
          assert.equal((await node.post('/api/build-trigger/', key)).status, 200),
        ),
      );
      // A DELETE that sends no invalidation: only a cache can still know the token.
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query('DELETE FROM tessera_token WHERE id = $1', [id]);
      await client.end();
      const statuses = await Promise.all(
        nodes.map(async (node) => (await node.post('/api/build-trigger/', key)).status),
      );
      assert.deepEqual(statuses, cacheOn ? [200, 200] : [401, 401]);
    });

    test('deactivating the user with the CLI reaches every node too', async () => {
      const { key } = await mint('deploy');
      await Promise.all(
        nodes.map(async (node) =>
          assert.equal((await node.post('/api/build-trigger/', key)).status, 200),
        ),
      );
      tessera(env, ['users', 'deactivate', 'alice']);
      await refusedEverywhere(key, '{"detail":"User inactive or deleted."}');
      tessera(env, ['users', 'activate', 'alice']);
    });

    test('a rotation through node B stops the old key on node A', async () => {
      const [nodeA, nodeB] = nodes as [ServerNode, ServerNode];
      const { id, key } = await mint('rotating');
      assert.equal((await nodeA.post('/api/build-trigger/', key)).status, 200);
      const rotated = await nodeB.post(`/api/tokens/${id}/rotate/`, adminKey);
      assert.equal(rotated.status, 200);
      await refusedEverywhere(key, '{"detail":"Invalid token."}');
      assert.equal(
        (await nodeA.post('/api/build-trigger/', JSON.parse(rotated.body).key)).status,
        200,
      );
    });
  });
}

scenario('cache on, invalidations by LISTEN/NOTIFY', { TESSERA_TOKEN_CACHE_TTL: '5m' }, true);
scenario(
  'cache on, invalidations by LISTEN/NOTIFY and Redis',
  { TESSERA_TOKEN_CACHE_TTL: '5m', REDIS_URL },
  true,
);
scenario('cache off', {}, false);
