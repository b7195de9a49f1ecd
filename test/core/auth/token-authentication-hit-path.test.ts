import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import fc from 'fast-check';
import { NO_CREDENTIALS } from '../../../src/core/auth/authorization-header.js';
import { TokenAuthentication } from '../../../src/core/auth/token-authentication.js';
import { AuthenticationFailed, Throttled } from '../../../src/core/errors.js';
import { TesseraEvents } from '../../../src/core/events.js';
import type { ViewRequest } from '../../../src/core/http/request.js';
import type { Store, TokenLookup } from '../../../src/core/store.js';
import { keyGuessLimit } from '../../../src/core/throttling/key-guess-limit.js';
import { MemoryThrottleBackend } from '../../../src/core/throttling/memory-throttle-backend.js';
import type { ThrottleBackend } from '../../../src/core/throttling/throttle-backend.js';
import { ManualClock } from '../../../src/core/time/clock.js';
import { generateKey, isWellFormedKey, keyDigest } from '../../../src/core/tokens/key-format.js';
import { isLegacyKey } from '../../../src/core/tokens/legacy-key-format.js';
import { TokenCache } from '../../../src/core/tokens/token-cache.js';
import { issueDefaultToken } from '../../../src/core/tokens/token-issuer.js';
import { TokenUseRecorder } from '../../../src/core/tokens/token-use-recorder.js';
import { openSqliteStore } from '../../../src/stores/sqlite/index.js';
import { drfAuthorizationModel, headerArbitrary } from './drf-authorization-model.js';

const HASH = 'pbkdf2_sha256$1000$salt$aGFzaA==';

function request(authorization: string | undefined, remoteAddress = '203.0.113.9'): ViewRequest {
  return {
    method: 'POST',
    header: (name) => (name === 'authorization' ? authorization : undefined),
    query: () => undefined,
    readBody: async () => new Uint8Array(),
    remoteAddress,
  };
}

describe('TokenAuthentication: a token cache hit is answered without a promise', () => {
  let store: Store;
  let clock: ManualClock;
  let reads: number;
  let backend: MemoryThrottleBackend;
  let key: string;
  let events: TesseraEvents;

  beforeEach(async () => {
    store = openSqliteStore({ filename: ':memory:' });
    await store.migrate();
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    reads = 0;
    backend = new MemoryThrottleBackend();
    events = new TesseraEvents();
    const user = await store.createUser({
      username: 'alice',
      password: HASH,
      dateJoined: new Date(clock.now()),
    });
    ({ key } = await issueDefaultToken(store, user.id, clock));
  });
  afterEach(() => store.close());

  function authentication(options: { rate?: string | null; throttles?: ThrottleBackend } = {}) {
    const counting: TokenLookup = {
      findTokenByDigest: (digest) => {
        reads++;
        return store.findTokenByDigest(digest);
      },
    };
    const cache = new TokenCache(counting, {
      clock,
      ttlMs: 60_000,
      maxEntries: 100,
      maxBytes: 1 << 20,
    });
    const usage = new TokenUseRecorder({ store, clock, trackLastUsed: true });
    return {
      cache,
      usage,
      tokens: new TokenAuthentication({
        store: cache,
        clock,
        events,
        usage,
        keyGuessLimit: keyGuessLimit(
          options.throttles ?? backend,
          options.rate === undefined ? '3/min' : options.rate,
          clock,
        ),
      }),
    };
  }

  test('the first use reads the store (a promise); later ones are values from memory', async () => {
    const { tokens, cache, usage } = authentication();
    const first = tokens.authenticate(request(`Token ${key}`));
    assert.ok(first instanceof Promise);
    assert.equal((await first)?.user.username, 'alice');
    const second = tokens.authenticate(request(`Token ${key}`));
    assert.ok(!(second instanceof Promise), 'a cache hit went through a promise');
    assert.equal(second?.user.username, 'alice');
    assert.equal(reads, 1);
    assert.equal(cache.hits, 1);
    await usage.close();
  });

  test('a hit holds nothing in the key-guess limit and is never counted', async () => {
    const { tokens, usage } = authentication();
    await tokens.authenticate(request(`Token ${key}`));
    const keysBefore = backend.size;
    for (let i = 0; i < 10; i++) tokens.authenticate(request(`Token ${key}`));
    assert.equal(backend.size, keysBefore);
    // Three failures still reach the limit: the fourth request, even with the cached key, is 429.
    for (let i = 0; i < 3; i++) {
      await assert.rejects(async () => tokens.authenticate(request(`Token ${generateKey()}`)), {
        message: 'Invalid token.',
      });
    }
    await assert.rejects(async () => tokens.authenticate(request(`Token ${key}`)), Throttled);
    // Another address is served from memory at once.
    const other = tokens.authenticate(request(`Token ${key}`, '203.0.113.10'));
    assert.ok(!(other instanceof Promise));
    await usage.close();
  });

  test('a backend that cannot answer at once (no admitsNow) reserves as before', async () => {
    const reserved: string[] = [];
    const memory = new MemoryThrottleBackend();
    const remote: ThrottleBackend = {
      hit: (...args) => memory.hit(...args),
      reserve: (limits, now) => {
        reserved.push(limits[0]?.key ?? '');
        return memory.reserve(limits, now);
      },
      keep: (reservation) => memory.keep(reservation),
      release: (reservation) => memory.release(reservation),
      remember: (...args) => memory.remember(...args),
      isRemembered: (...args) => memory.isRemembered(...args),
      close: () => memory.close(),
    };
    const { tokens, usage } = authentication({ throttles: remote });
    await tokens.authenticate(request(`Token ${key}`));
    const again = tokens.authenticate(request(`Token ${key}`));
    assert.ok(again instanceof Promise);
    assert.equal((await again)?.user.username, 'alice');
    assert.deepEqual(reserved, ['tessera_key_guess_203.0.113.9', 'tessera_key_guess_203.0.113.9']);
    assert.equal(reads, 1);
    await usage.close();
  });

  test('a cached token of a user made inactive is refused, and counted', async () => {
    const { tokens, usage } = authentication();
    const match = await tokens.authenticate(request(`Token ${key}`));
    assert.ok(match);
    (match.user as { isActive: boolean }).isActive = false;
    await assert.rejects(async () => tokens.authenticate(request(`Token ${key}`)), {
      message: 'User inactive or deleted.',
    });
    await usage.close();
  });

  test('a hit notes the use and tells listeners; without listeners nothing is built', async () => {
    const { tokens, usage } = authentication();
    await tokens.authenticate(request(`Token ${key}`));
    const told: unknown[] = [];
    assert.equal(events.listens('authenticated'), false);
    const stop = events.on('authenticated', (event) => told.push(event));
    assert.equal(events.listens('authenticated'), true);
    tokens.authenticate(request(`Token ${key}`));
    assert.equal(told.length, 1);
    stop();
    assert.equal(events.listens('authenticated'), false);
    await usage.close();
    const [token] = await store.listTokens();
    assert.equal(token?.lastUsed?.getTime(), clock.now());
  });

  test('with the limit off, a refusal is thrown at once; with it on, it is a rejection', async () => {
    const off = authentication({ rate: null });
    const failures: unknown[] = [];
    events.on('authentication_failed', (event) => failures.push(event));
    assert.throws(() => off.tokens.authenticate(request('Token abcd')), AuthenticationFailed);
    assert.throws(() => off.tokens.authenticate(request('Token')), {
      message: 'Invalid token header. No credentials provided.',
    });
    assert.equal(failures.length, 2);
    const on = authentication();
    const refused = on.tokens.authenticate(request('Token abcd'));
    assert.ok(refused instanceof Promise);
    await assert.rejects(refused, { message: 'Invalid token.' });
    await off.usage.close();
    await on.usage.close();
  });
});

describe('TokenAuthentication: the usual header is read without the general parse, alike', () => {
  test('case-folded keyword, one space, a well-formed key; anything else as DRF reads it', async () => {
    const store = openSqliteStore({ filename: ':memory:' });
    await store.migrate();
    try {
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const user = await store.createUser({
        username: 'carol',
        password: HASH,
        dateJoined: new Date(clock.now()),
      });
      const { key } = await issueDefaultToken(store, user.id, clock);
      const tokens = new TokenAuthentication({ store, clock, keywords: ['Token', 'My Key'] });
      for (const header of [`Token ${key}`, `tOKEN ${key}`, `Token  ${key}`, ` Token ${key}\t`]) {
        assert.equal((await tokens.authenticate(request(header)))?.user.username, 'carol', header);
      }
      // DRF splits on whitespace: a keyword holding a space never matches, the usual path neither.
      assert.equal(await tokens.authenticate(request(`My Key ${key}`)), null);
      assert.equal(await tokens.authenticate(request(`Tokens ${key}`)), null);
      await assert.rejects(async () => tokens.authenticate(request(`Token ${key}x`)), {
        message: 'Invalid token.',
      });
      await assert.rejects(async () => tokens.authenticate(request(`Token ${key} x`)), {
        message: 'Invalid token header. Token string should not contain spaces.',
      });
    } finally {
      await store.close();
    }
  });
});

describe('TokenAuthentication.authenticate, property-based against a model of DRF', () => {
  // What DRF's header rule gives (the model), then tessera's key check: a well-formed or DRF key
  // is looked up (this store holds none: `invalid_token`), any other is refused unread.
  function expected(header: string): unknown {
    const outcome = drfAuthorizationModel(header, ['Token']);
    if (outcome.kind === 'none') return null;
    if (outcome.kind === 'error') {
      const reason = outcome.message === NO_CREDENTIALS ? 'no_credentials' : 'invalid_header';
      return { thrown: outcome.message, reason, read: [] };
    }
    const { key } = outcome;
    if (isWellFormedKey(key) || isLegacyKey(key)) {
      return { rejected: 'Invalid token.', reason: 'invalid_token', read: [keyDigest(key)] };
    }
    return { thrown: 'Invalid token.', reason: 'malformed_key', read: [] };
  }

  async function actual(tokens: TokenAuthentication, header: string, read: string[]) {
    const reasons: string[] = [];
    const stop = events.on('authentication_failed', (event) => reasons.push(event.reason));
    read.length = 0;
    try {
      let answer: unknown;
      try {
        answer = tokens.authenticate(request(header));
      } catch (error) {
        assert.ok(error instanceof AuthenticationFailed);
        return { thrown: error.message, reason: reasons[0], read: [...read] };
      }
      if (!(answer instanceof Promise)) return answer;
      const error = await answer.then(
        () => assert.fail('a key this store does not hold was accepted'),
        (rejection: unknown) => rejection,
      );
      assert.ok(error instanceof AuthenticationFailed);
      return { rejected: error.message, reason: reasons[0], read: [...read] };
    } finally {
      stop();
    }
  }

  let events: TesseraEvents;
  beforeEach(() => {
    events = new TesseraEvents();
  });

  const key = fc.constant(null).map(() => generateKey());
  const usualKey = fc.oneof(
    key,
    // One character changed: a bad checksum or a character outside base62.
    fc
      .tuple(key, fc.nat(41), fc.constantFrom(...'aZ09_-+/=.~ \t\xa0\xe9\x7f\x00'))
      .map(([k, at, c]) => k.slice(0, at) + c + k.slice(at + 1)),
    key.map((k) => k.slice(0, -1)),
    key.map((k) => `${k}x`),
    fc.stringMatching(/^[0-9a-f]{40}$/),
    fc.string({ unit: fc.constantFrom(...'tsr_0aZ9-.~+/=\xe9\xc3\xa9 '), maxLength: 44 }),
  );
  const usualHeader = fc
    .tuple(
      fc.constantFrom('Token', 'token', 'TOKEN', 'Tokens', 'Tok'),
      fc.constantFrom(' ', '  ', '\t'),
      usualKey,
    )
    .map(([word, space, k]) => word + space + k);

  test('any header: the outcome and event DRF would give, a read only for a key that can exist', async () => {
    const read: string[] = [];
    const tokens = new TokenAuthentication({
      store: {
        findTokenByDigest: async (digest) => {
          read.push(digest);
          return null;
        },
      },
      events,
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(headerArbitrary, usualHeader), async (header) => {
        assert.deepEqual(await actual(tokens, header, read), expected(header));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('MemoryThrottleBackend.admitsNow says what reserve would, holding nothing', () => {
  test('room, failures filling the window, attempts in flight filling it, then expiry', async () => {
    const backend = new MemoryThrottleBackend();
    const window = { key: 'tessera_key_guess_x', limit: 2, durationMs: 60_000 };
    assert.equal(backend.admitsNow(window, 0), true);
    assert.equal(backend.size, 0);
    const first = await backend.reserve([window], 0);
    assert.ok(first.allowed);
    await backend.keep(first);
    assert.equal(backend.admitsNow(window, 1), true);
    const inFlight = await backend.reserve([window], 1);
    assert.ok(inFlight.allowed);
    assert.equal(backend.admitsNow(window, 2), false, 'busy: a reservation would wait');
    await backend.keep(inFlight);
    assert.equal(backend.admitsNow(window, 3), false, 'full of failures');
    assert.equal(backend.admitsNow(window, 60_001), true, 'the first failure has left');
    assert.equal(backend.admitsNow({ ...window, limit: 0 }, 0), false);
  });
});
