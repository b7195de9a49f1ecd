import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { TokenAuthentication } from '../../../src/core/auth/token-authentication.js';
import { AuthenticationFailed } from '../../../src/core/errors.js';
import type { ViewRequest } from '../../../src/core/http/request.js';
import type { Store, TokenLookup } from '../../../src/core/store.js';
import { ManualClock } from '../../../src/core/time/clock.js';
import {
  generateKey,
  isWellFormedKey,
  keyDigest,
  keyPreview,
} from '../../../src/core/tokens/key-format.js';
import { isLegacyKey, LEGACY_KEY_LENGTH } from '../../../src/core/tokens/legacy-key-format.js';
import { TokenCache } from '../../../src/core/tokens/token-cache.js';
import { openSqliteStore } from '../../../src/stores/sqlite/index.js';

const HASH = 'pbkdf2_sha256$1000$salt$aGFzaA==';

/** A key as DRF makes it: `secrets.token_hex(20)`. */
function drfKey(): string {
  return randomBytes(20).toString('hex');
}

function request(authorization: string): ViewRequest {
  return {
    method: 'POST',
    header: (name) => (name === 'authorization' ? authorization : undefined),
    query: () => undefined,
    readBody: async () => new Uint8Array(),
    remoteAddress: '203.0.113.9',
  };
}

describe("DRF's key grammar: 40 lowercase hex characters", () => {
  test("DRF's generator's keys are legacy keys, and not tessera's", () => {
    for (let i = 0; i < 200; i++) {
      const key = drfKey();
      assert.equal(key.length, LEGACY_KEY_LENGTH);
      assert.ok(isLegacyKey(key), key);
      assert.ok(!isWellFormedKey(key), key);
    }
    assert.ok(isLegacyKey('0123456789abcdef0123456789abcdef01234567'));
  });

  test('39 or 41 characters, uppercase, NUL, non-hex and non-ASCII are refused', () => {
    const key = drfKey();
    assert.ok(!isLegacyKey(key.slice(0, 39)));
    assert.ok(!isLegacyKey(`${key}0`));
    assert.ok(!isLegacyKey(''));
    // Uppercase hex: DRF never makes it; one uppercase letter is enough to refuse.
    assert.ok(!isLegacyKey(key.toUpperCase()));
    assert.ok(!isLegacyKey(`A${key.slice(1)}`));
    assert.ok(!isLegacyKey(`${key.slice(0, 20)}\0${key.slice(21)}`));
    assert.ok(!isLegacyKey(`${key.slice(0, 39)}g`));
    assert.ok(!isLegacyKey(`${key.slice(0, 39)} `));
    assert.ok(!isLegacyKey(`${key.slice(0, 39)}é`));
    // Every character next to the hex ranges in ASCII: / : ` g and the uppercase A-F, G.
    for (const near of ['/', ':', '`', 'g', '@', 'G', 'F']) {
      assert.ok(!isLegacyKey(`${near}${key.slice(1)}`), near);
    }
  });

  test("tessera's keys are unchanged: well-formed, not legacy, previews as before", () => {
    for (let i = 0; i < 200; i++) {
      const key = generateKey();
      assert.ok(isWellFormedKey(key));
      assert.ok(!isLegacyKey(key));
      assert.equal(keyPreview(key), key.slice(0, 8));
    }
  });

  test("a DRF key's preview shows its first 4 characters, as much of the secret as a tsr_ one", () => {
    const key = drfKey();
    assert.equal(keyPreview(key), key.slice(0, 4));
  });
});

describe('TokenAuthentication and DRF keys', () => {
  let store: Store;
  let clock: ManualClock;
  let reads: number;
  let counting: TokenLookup;
  const keys: Record<string, string> = {};

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
    for (const [username, isActive] of [
      ['alice', true],
      ['bob', false],
    ] as const) {
      const user = await store.createUser({
        username,
        password: HASH,
        isActive,
        dateJoined: new Date(clock.now()),
      });
      // As `tessera tokens import-drf` stores a DRF key: its digest, scope *.
      const key = drfKey();
      keys[username] = key;
      await store.createToken({
        userId: user.id,
        kind: 'default',
        name: 'default',
        digest: keyDigest(key),
        preview: keyPreview(key),
        scopes: ['*'],
        created: new Date(clock.now()),
        expires: null,
        slidingSeconds: null,
        maxExpires: null,
      });
    }
  });
  afterEach(() => store.close());

  async function outcome(authentication: TokenAuthentication, key: string): Promise<string> {
    try {
      const result = await authentication.authenticate(request(`Token ${key}`));
      return `ok ${result?.user.username}`;
    } catch (error) {
      assert.ok(error instanceof AuthenticationFailed);
      return `401 ${error.detail}`;
    }
  }

  test("a stored DRF key authenticates by digest; DRF's answers for an unknown key and an inactive user", async () => {
    const authentication = new TokenAuthentication({ store: counting, clock });
    assert.equal(await outcome(authentication, keys.alice as string), 'ok alice');
    assert.equal(await outcome(authentication, drfKey()), '401 Invalid token.');
    assert.equal(
      await outcome(authentication, keys.bob as string),
      '401 User inactive or deleted.',
    );
    assert.equal(reads, 3);
  });

  test('legacyKeys: false refuses a DRF key without a read, as a malformed key', async () => {
    const authentication = new TokenAuthentication({ store: counting, clock, legacyKeys: false });
    assert.equal(await outcome(authentication, keys.alice as string), '401 Invalid token.');
    assert.equal(reads, 0);
  });

  test('a 40-character key outside the grammar is refused without a read', async () => {
    const authentication = new TokenAuthentication({ store: counting, clock });
    const key = keys.alice as string;
    for (const bad of [key.toUpperCase(), `${key.slice(0, 39)}g`, key.slice(0, 39), `${key}0`]) {
      assert.equal(await outcome(authentication, bad), '401 Invalid token.');
    }
    assert.equal(reads, 0);
  });

  test('a DRF key takes the same token cache: the second use is a hit, not a read', async () => {
    const cache = new TokenCache(counting, {
      clock,
      ttlMs: 60_000,
      maxEntries: 100,
      maxBytes: 1_000_000,
    });
    cache.setChannelUp(true);
    const authentication = new TokenAuthentication({ store: cache, clock });
    assert.equal(await outcome(authentication, keys.alice as string), 'ok alice');
    assert.equal(await outcome(authentication, keys.alice as string), 'ok alice');
    assert.equal(reads, 1);
    // A hit is answered without a promise, as a tsr_ key's.
    const value = authentication.authenticate(request(`Token ${keys.alice}`));
    assert.ok(!(value instanceof Promise));
  });
});
