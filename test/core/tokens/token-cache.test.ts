import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { Store, TokenLookup, TokenMatch } from '../../../src/core/store.js';
import { ManualClock } from '../../../src/core/time/clock.js';
import { keyDigest } from '../../../src/core/tokens/key-format.js';
import { TokenCache, type TokenCacheOptions } from '../../../src/core/tokens/token-cache.js';
import { issueDefaultToken, newToken } from '../../../src/core/tokens/token-issuer.js';
import { openSqliteStore } from '../../../src/stores/sqlite/index.js';

const HASH = 'pbkdf2_sha256$1000$salt$aGFzaA==';

describe('TokenCache over a real SQLite store', () => {
  let store: Store;
  let clock: ManualClock;
  let reads: number;
  let counting: TokenLookup;

  beforeEach(async () => {
    store = openSqliteStore({ filename: ':memory:' });
    await store.migrate();
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    reads = 0;
    counting = {
      findTokenByDigest: (digest) => {
        reads++;
        return store.findTokenByDigest(digest);
      },
    };
  });

  function cache(options: Partial<TokenCacheOptions> = {}) {
    return new TokenCache(counting, {
      clock,
      ttlMs: 30_000,
      maxEntries: 100,
      maxBytes: 1 << 20,
      ...options,
    });
  }

  async function userWithKey(name: string) {
    const user = await store.createUser({
      username: name,
      password: HASH,
      dateJoined: new Date(clock.now()),
    });
    const { key, token } = await issueDefaultToken(store, user.id, clock);
    return { user, token, digest: keyDigest(key) };
  }

  test('serves a verified token from memory until its TTL', async () => {
    const tokens = cache();
    const { digest } = await userWithKey('a');
    assert.notEqual(await tokens.findTokenByDigest(digest), null);
    await tokens.findTokenByDigest(digest);
    assert.equal(reads, 1);
    clock.advance(30_000);
    await tokens.findTokenByDigest(digest);
    assert.equal(reads, 2);
  });

  test('unknown digests are never cached', async () => {
    const tokens = cache();
    assert.equal(await tokens.findTokenByDigest('0'.repeat(64)), null);
    assert.equal(await tokens.findTokenByDigest('0'.repeat(64)), null);
    assert.equal(reads, 2);
    assert.equal(tokens.size.entries, 0);
  });

  test('invalidation by token and by user; the next lookup reads the store', async () => {
    const tokens = cache();
    const a = await userWithKey('a');
    const b = await userWithKey('b');
    await tokens.findTokenByDigest(a.digest);
    await tokens.findTokenByDigest(b.digest);
    await store.deleteToken(a.token.id);
    tokens.invalidate({ tokenId: a.token.id });
    assert.equal(await tokens.findTokenByDigest(a.digest), null);
    await store.updateUser(b.user.id, { isActive: false });
    tokens.invalidate({ userId: b.user.id });
    assert.equal((await tokens.findTokenByDigest(b.digest))?.user.isActive, false);
    assert.equal(reads, 4);
  });

  test('a token cached under two digests (rotated elsewhere) is dropped under both', async () => {
    const tokens = cache();
    const a = await userWithKey('a');
    const b = await userWithKey('b');
    await tokens.findTokenByDigest(a.digest);
    // Another process rotates the token: this cache hears nothing and keeps the old digest.
    const { key: newKey } = newToken({
      userId: a.user.id,
      kind: 'default',
      name: 'default',
      clock,
    });
    const newDigest = keyDigest(newKey);
    await store.rotateToken(a.token.id, newDigest, 'tsr_new');
    assert.notEqual(await tokens.findTokenByDigest(newDigest), null);
    assert.equal(tokens.size.entries, 2);
    // Deleting the token in this process must drop every digest it was cached under.
    await store.deleteToken(a.token.id);
    tokens.invalidate({ tokenId: a.token.id });
    assert.equal(tokens.size.entries, 0);
    assert.equal(await tokens.findTokenByDigest(a.digest), null);
    assert.equal(await tokens.findTokenByDigest(newDigest), null);
    // Evicting one of a token's digests leaves the other indexed (and invalidatable).
    await tokens.findTokenByDigest(b.digest);
    const { key: bKey } = newToken({ userId: b.user.id, kind: 'default', name: 'default', clock });
    await store.rotateToken(b.token.id, keyDigest(bKey), 'tsr_new');
    await tokens.findTokenByDigest(keyDigest(bKey));
    clock.advance(30_000);
    assert.equal(await tokens.findTokenByDigest(b.digest), null, 'expired entry read again');
    tokens.invalidate({ tokenId: b.token.id });
    assert.equal(tokens.size.entries, 0);
  });

  test('a lookup in flight when an invalidation arrives does not put the stale entry back', async () => {
    const a = await userWithKey('a');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: TokenLookup = {
      findTokenByDigest: async (digest) => {
        const match = await store.findTokenByDigest(digest);
        await gate;
        return match;
      },
    };
    const tokens = new TokenCache(slow, {
      clock,
      ttlMs: 30_000,
      maxEntries: 10,
      maxBytes: 1 << 20,
    });
    const inFlight = tokens.findTokenByDigest(a.digest);
    await store.deleteToken(a.token.id);
    tokens.invalidate({ tokenId: a.token.id });
    release();
    assert.notEqual(await inFlight, null, 'the read started before the revocation');
    assert.equal(tokens.size.entries, 0);
    assert.equal(await tokens.findTokenByDigest(a.digest), null);
  });

  test('a cached token that looks expired is read again (another node may have slid it)', async () => {
    const tokens = cache();
    const user = await store.createUser({
      username: 's',
      password: HASH,
      dateJoined: new Date(clock.now()),
    });
    const { key, row } = newToken({
      userId: user.id,
      kind: 'named',
      name: 'sliding',
      clock,
      expires: new Date(clock.now() + 10_000),
      slidingSeconds: 10,
      maxExpires: new Date(clock.now() + 60_000),
    });
    const token = await store.createToken(row);
    const digest = keyDigest(key);
    await tokens.findTokenByDigest(digest);
    await store.recordTokenUses([{ id: token.id, expires: new Date(clock.now() + 20_000) }]);
    clock.advance(10_000);
    const match = (await tokens.findTokenByDigest(digest)) as TokenMatch;
    assert.equal(match.token.expires?.getTime(), clock.now() + 10_000);
    assert.equal(reads, 2);
  });

  test('bounded in entries and in bytes, least recently used first', async () => {
    const byCount = cache({ maxEntries: 2 });
    const [a, b, c] = [await userWithKey('a'), await userWithKey('b'), await userWithKey('c')];
    await byCount.findTokenByDigest(a.digest);
    await byCount.findTokenByDigest(b.digest);
    await byCount.findTokenByDigest(a.digest);
    await byCount.findTokenByDigest(c.digest);
    assert.equal(byCount.size.entries, 2);
    reads = 0;
    await byCount.findTokenByDigest(a.digest);
    assert.equal(reads, 0, 'a was used recently and stays');
    await byCount.findTokenByDigest(b.digest);
    assert.equal(reads, 1, 'b was the least recently used and went');

    const byBytes = cache({ maxBytes: 1000 });
    await byBytes.findTokenByDigest(a.digest);
    await byBytes.findTokenByDigest(b.digest);
    assert.equal(byBytes.size.entries, 1);
    assert.ok(byBytes.size.bytes <= 1000);
  });

  test('a token used between every new one is never evicted', async () => {
    const tokens = cache({ maxEntries: 4 });
    const hot = await userWithKey('hot');
    await tokens.findTokenByDigest(hot.digest);
    for (let i = 0; i < 12; i++) {
      const other = await userWithKey(`other${i}`);
      await tokens.findTokenByDigest(other.digest);
      reads = 0;
      await tokens.findTokenByDigest(hot.digest);
      assert.equal(reads, 0, `hot was read again after ${i + 1} other tokens`);
    }
    assert.equal(tokens.size.entries, 4);
  });

  test('when the channel drops the cache empties and stays off until it is back', async () => {
    const tokens = cache();
    const a = await userWithKey('a');
    await tokens.findTokenByDigest(a.digest);
    tokens.setChannelUp(false);
    assert.equal(tokens.size.entries, 0);
    await tokens.findTokenByDigest(a.digest);
    await tokens.findTokenByDigest(a.digest);
    assert.equal(reads, 3);
    tokens.setChannelUp(true);
    await tokens.findTokenByDigest(a.digest);
    await tokens.findTokenByDigest(a.digest);
    assert.equal(reads, 4);
  });

  test('serveDuringOutage keeps entries (until their TTL) while the channel is down', async () => {
    const tokens = cache({ serveDuringOutage: true });
    const a = await userWithKey('a');
    await tokens.findTokenByDigest(a.digest);
    tokens.setChannelUp(false);
    await tokens.findTokenByDigest(a.digest);
    assert.equal(reads, 1);
    clock.advance(30_000);
    await tokens.findTokenByDigest(a.digest);
    assert.equal(reads, 2);
  });
});
