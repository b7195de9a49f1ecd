import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TesseraSettings } from '../../src/core/config/settings.js';
import { inParallel, loopbackAddress } from './support/loopback-client.js';
import {
  dropTestDatabases,
  STORE_KINDS,
  TEST_REDIS_URL,
  TokenStoreServer,
} from './support/token-store-server.js';

after(() => dropTestDatabases());

const VARIANTS: { label: string; settings: Partial<TesseraSettings> }[] = [
  { label: 'no cache', settings: {} },
  // The token cache, with Redis carrying invalidations, must not serve a rotated or revoked key.
  {
    label: 'token cache and Redis',
    settings: { tokenCacheSeconds: 300, redisUrl: TEST_REDIS_URL },
  },
];

for (const kind of STORE_KINDS) {
  for (const variant of VARIANTS) {
    describe(`${kind}, ${variant.label}: concurrent rotations and revocations of one token`, () => {
      let server: TokenStoreServer;
      before(async () => {
        server = await TokenStoreServer.start(kind, variant.settings);
      });
      after(() => server.close());

      async function createTarget(name: string): Promise<{ id: number; key: string }> {
        const created = await server.call('POST', '/api/tokens/', server.adminKey, {
          name,
          scopes: ['builds:trigger'],
        });
        assert.equal(created.status, 201, created.body);
        const token = created.json as { id: number; key: string };
        // Warm the cache (when there is one) with the key about to be replaced.
        assert.equal((await server.call('POST', '/api/build-trigger/', token.key)).status, 200);
        return token;
      }

      async function works(key: string): Promise<boolean> {
        const answer = await server.call('POST', '/api/build-trigger/', key);
        assert.ok(answer.status === 200 || answer.status === 401, answer.body);
        return answer.status === 200;
      }

      it('12 clients rotate at once: every answer 200, and exactly the last key works', async () => {
        const target = await createTarget('raced');
        const answers = await inParallel(
          12,
          Array.from(
            { length: 12 },
            (_, n) => () =>
              server.call(
                'POST',
                `/api/tokens/${target.id}/rotate/`,
                server.adminKey,
                undefined,
                loopbackAddress(n),
              ),
          ),
        );
        for (const answer of answers) assert.equal(answer.status, 200, answer.body);
        const keys = answers.map((answer) => (answer.json as { key: string }).key);
        assert.equal(new Set(keys).size, 12);
        const working = [];
        for (const key of [target.key, ...keys]) if (await works(key)) working.push(key);
        assert.equal(working.length, 1, `${working.length} keys work`);
      });

      it('rotations racing revocations: no 5xx, one 204, and no returned key works', async () => {
        const target = await createTarget('doomed');
        const tasks = Array.from({ length: 15 }, (_, n) => {
          const revoke = n % 3 === 1;
          return () =>
            server.call(
              revoke ? 'DELETE' : 'POST',
              revoke ? `/api/tokens/${target.id}/` : `/api/tokens/${target.id}/rotate/`,
              server.adminKey,
              undefined,
              loopbackAddress(n),
            );
        });
        const answers = await inParallel(15, tasks);
        const statuses = answers.map((answer) => answer.status);
        for (const answer of answers) {
          assert.ok([200, 204, 404].includes(answer.status), `${answer.status} ${answer.body}`);
        }
        assert.equal(statuses.filter((status) => status === 204).length, 1, String(statuses));
        const keys = answers
          .filter((answer) => answer.status === 200)
          .map((answer) => (answer.json as { key: string }).key);
        for (const key of [target.key, ...keys]) assert.equal(await works(key), false, key);
        assert.equal(await server.store.getToken(target.id), null);
        assert.doesNotMatch(server.log, /"statusCode":5\d\d|"level":50/);
      });
    });
  }
}
