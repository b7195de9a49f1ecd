import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isWellFormedKey } from '../../src/core/tokens/key-format.js';
import { inParallel, loopbackAddress, requestFrom } from '../attack/support/loopback-client.js';
import { sendRaw } from '../parity/raw-http-client.js';
import { AbuseServer, countingCalls } from '../server/abuse-server.js';
import { drfKey, storeDrfKey } from './drf-key.js';

const INVALID = '{"detail":"Invalid token."}';
const INACTIVE = '{"detail":"User inactive or deleted."}';

/** `<status> <body>` of build-trigger with `key`. */
async function answer(server: AbuseServer, key: string): Promise<string> {
  const { status, body } = await server.trigger(`Token ${key}`);
  return `${status} ${body}`;
}

describe("the reference server on SQLite: DRF's 40-hex keys stored as tessera tokens", () => {
  const reads = { calls: 0 };
  let server: AbuseServer;
  let aliceKey: string;
  let bobKey: string;
  let aliceTokenId: number;

  before(async () => {
    server = await AbuseServer.start({ wrapStore: countingCalls('findTokenByDigest', reads) });
    const now = new Date(server.clock.now());
    aliceKey = drfKey();
    bobKey = drfKey();
    aliceTokenId = (
      await storeDrfKey(
        server.store,
        await server.createUser('alice', 'alice-password'),
        aliceKey,
        now,
      )
    ).id;
    await storeDrfKey(
      server.store,
      await server.createUser('bob', 'bob-password', false),
      bobKey,
      now,
    );
  });
  after(() => server.close());

  test('200 with the key; Invalid token. for an unknown 40-hex key; User inactive or deleted.', async () => {
    assert.equal(await answer(server, aliceKey), '200 ');
    assert.equal(await answer(server, drfKey()), `401 ${INVALID}`);
    assert.equal(await answer(server, bobKey), `401 ${INACTIVE}`);
    // The same key in another case is not DRF's: refused without a read.
    const before = reads.calls;
    assert.equal(await answer(server, aliceKey.toUpperCase()), `401 ${INVALID}`);
    assert.equal(reads.calls, before);
  });

  test('the token list shows 4 characters of the DRF key, never more', async () => {
    const { status, body } = await sendRaw(server.url, {
      method: 'GET',
      path: '/api/tokens/',
      headers: { Authorization: `Token ${aliceKey}` },
    });
    assert.equal(status, 200);
    const [listed] = JSON.parse(body) as { id: number; preview: string; kind: string }[];
    assert.equal(listed?.id, aliceTokenId);
    assert.equal(listed?.kind, 'default');
    assert.equal(listed?.preview, aliceKey.slice(0, 4));
    assert.ok(!body.includes(aliceKey.slice(0, 5)), body);
  });

  test('rotating a token whose key was a DRF key gives a tsr_ key; the DRF key stops at once', async () => {
    const { status, body } = await sendRaw(server.url, {
      method: 'POST',
      path: `/api/tokens/${aliceTokenId}/rotate/`,
      headers: { Authorization: `Token ${aliceKey}` },
    });
    assert.equal(status, 200, body);
    const rotated = JSON.parse(body) as { key: string; preview: string; scopes: string[] };
    assert.ok(isWellFormedKey(rotated.key), rotated.key);
    assert.equal(rotated.preview, rotated.key.slice(0, 8));
    assert.deepEqual(rotated.scopes, ['*']);
    assert.equal(await answer(server, aliceKey), `401 ${INVALID}`);
    assert.equal(await answer(server, rotated.key), '200 ');
  });
});

describe('TESSERA_LEGACY_KEYS=false on the reference server', () => {
  test('a stored DRF key is refused as malformed, without a read', async () => {
    const reads = { calls: 0 };
    const server = await AbuseServer.start({
      settings: { legacyKeys: false },
      wrapStore: countingCalls('findTokenByDigest', reads),
    });
    try {
      const key = drfKey();
      const userId = await server.createUser('carol', 'carol-password');
      await storeDrfKey(server.store, userId, key, new Date(server.clock.now()));
      assert.equal(await answer(server, key), `401 ${INVALID}`);
      assert.equal(await answer(server, drfKey()), `401 ${INVALID}`);
      assert.equal(reads.calls, 0);
    } finally {
      await server.close();
    }
  });
});

describe('the key-guess limit counts failed DRF keys (keyFailuresPerIp 5/min)', () => {
  const LIMIT = 5;

  function guessFrom(server: AbuseServer, address: string): () => Promise<number> {
    return async () =>
      (
        await requestFrom(address, {
          url: `${server.url}/api/build-trigger/`,
          method: 'POST',
          headers: { Authorization: `Token ${drfKey()}` },
        })
      ).status;
  }

  test('one address, 30 guesses at once: 5 are read and refused, the rest get 429', async () => {
    const reads = { calls: 0 };
    const server = await AbuseServer.start({
      settings: { keyFailuresPerIp: `${LIMIT}/min` },
      wrapStore: countingCalls('findTokenByDigest', reads),
    });
    try {
      const address = loopbackAddress(0);
      const statuses = await inParallel(
        30,
        Array.from({ length: 30 }, () => guessFrom(server, address)),
      );
      assert.equal(statuses.filter((status) => status === 401).length, LIMIT);
      assert.equal(statuses.filter((status) => status === 429).length, 30 - LIMIT);
      // The guesses' cost is bounded by the limit: one read per counted failure.
      assert.equal(reads.calls, LIMIT);
    } finally {
      await server.close();
    }
  });

  test('20 addresses, 8 guesses each, all at once: each gets 5 refusals then 429', async () => {
    const reads = { calls: 0 };
    const server = await AbuseServer.start({
      settings: { keyFailuresPerIp: `${LIMIT}/min` },
      wrapStore: countingCalls('findTokenByDigest', reads),
    });
    try {
      const addresses = Array.from({ length: 20 }, (_, n) => loopbackAddress(n + 1));
      const tasks = addresses.flatMap((address) =>
        Array.from({ length: 8 }, () => async () => ({
          address,
          status: await guessFrom(server, address)(),
        })),
      );
      const results = await inParallel(64, tasks);
      for (const address of addresses) {
        const mine = results.filter((result) => result.address === address);
        assert.equal(mine.filter(({ status }) => status === 401).length, LIMIT, address);
        assert.equal(mine.filter(({ status }) => status === 429).length, 8 - LIMIT, address);
      }
      assert.equal(reads.calls, LIMIT * addresses.length);
    } finally {
      await server.close();
    }
  });
});
