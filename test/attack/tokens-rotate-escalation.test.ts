import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/core/time/clock.js';
import { createNamedToken, rotateToken } from '../../src/core/tokens/token-management.js';
import { inParallel, loopbackAddress } from './support/loopback-client.js';
import { dropTestDatabases, TokenStoreServer } from './support/token-store-server.js';

after(() => dropTestDatabases());

interface Listed {
  id: number;
  name: string;
  scopes: string[];
  expires: string | null;
  key?: string;
}

describe('a narrow, short-lived token cannot mint a wider or longer-lived key', () => {
  let server: TokenStoreServer;
  let narrow: Listed;
  let defaultId: number;
  before(async () => {
    server = await TokenStoreServer.start('sqlite');
    const created = await server.call('POST', '/api/tokens/', server.adminKey, {
      name: 'narrow',
      scopes: ['tokens'],
      expires_in: '1h',
    });
    assert.equal(created.status, 201, created.body);
    narrow = created.json as Listed;
    const list = await server.call('GET', '/api/tokens/', server.adminKey);
    defaultId = (list.json as Listed[]).find((token) => token.name === 'default')?.id as number;
  });
  after(() => server.close());

  it('rotating the user\'s "*" token answers 403 naming why, from 20 clients at once', async () => {
    const answers = await inParallel(
      20,
      Array.from(
        { length: 20 },
        (_, n) => () =>
          server.call(
            'POST',
            `/api/tokens/${defaultId}/rotate/`,
            narrow.key,
            undefined,
            loopbackAddress(n),
          ),
      ),
    );
    for (const answer of answers) {
      assert.equal(answer.status, 403, answer.body);
      assert.deepEqual(answer.json, {
        detail: 'This token cannot rotate a token with scopes it lacks: *.',
      });
    }
    // The "*" key still works: nothing was rotated.
    assert.equal((await server.call('POST', '/api/build-trigger/', server.adminKey)).status, 200);
  });

  it('rotating a token that outlives it answers 403; one within its bounds rotates', async () => {
    const longer = await server.call('POST', '/api/tokens/', server.adminKey, {
      name: 'longer',
      scopes: ['tokens'],
      expires_in: '2h',
    });
    const forever = await server.call('POST', '/api/tokens/', server.adminKey, {
      name: 'forever',
      scopes: ['tokens'],
    });
    for (const target of [longer.json as Listed, forever.json as Listed]) {
      const answer = await server.call('POST', `/api/tokens/${target.id}/rotate/`, narrow.key);
      assert.equal(answer.status, 403, answer.body);
      assert.match(
        (answer.json as { detail: string }).detail,
        /^This token cannot rotate a token that outlives it \(it expires \d{4}-.*Z\)\.$/,
      );
    }
    const within = await server.call('POST', '/api/tokens/', narrow.key, { name: 'within' });
    assert.equal(within.status, 201, within.body);
    const rotated = await server.call(
      'POST',
      `/api/tokens/${(within.json as Listed).id}/rotate/`,
      narrow.key,
    );
    assert.equal(rotated.status, 200, rotated.body);
    const self = await server.call('POST', `/api/tokens/${narrow.id}/rotate/`, narrow.key);
    assert.equal(self.status, 200, self.body);
    narrow = { ...narrow, key: (self.json as Listed).key };
  });

  it("a narrow token may revoke the user's wider tokens: revoking grants nothing", async () => {
    const victim = await server.call('POST', '/api/tokens/', server.adminKey, { name: 'victim' });
    const deleted = await server.call(
      'DELETE',
      `/api/tokens/${(victim.json as Listed).id}/`,
      narrow.key,
    );
    assert.equal(deleted.status, 204);
    assert.equal(
      (await server.call('POST', '/api/build-trigger/', (victim.json as Listed).key)).status,
      401,
    );
  });

  it('the library calls hold the same rule; the operator (no requesting token) is unbounded', async () => {
    const context = { store: server.store, clock: systemClock };
    const requester = await server.store.getToken(narrow.id);
    assert.ok(requester);
    await assert.rejects(
      rotateToken(context, defaultId, { userId: server.userId, requester }),
      /This token cannot rotate a token with scopes it lacks: \*\./,
    );
    await assert.rejects(
      createNamedToken(context, server.userId, { name: 'wide', scopes: ['*'] }, requester),
      (error: { detail?: unknown }) => {
        assert.deepEqual(error.detail, {
          scopes: ['Cannot grant scopes the requesting token lacks: *.'],
        });
        return true;
      },
    );
    const byOperator = await rotateToken(context, defaultId, { requester: null });
    assert.ok(byOperator);
    assert.deepEqual(byOperator.token.scopes, ['*']);
  });
});
