import { ApiError, AuthenticationFailed, freshCopy, Throttled } from '../errors.js';
import type { TesseraEventMap, TesseraEvents } from '../events.js';
import type { ViewRequest } from '../http/request.js';
import type { TokenLookup, TokenMatch } from '../store.js';
import type { FailureLimit } from '../throttling/failure-limit.js';
import type { ThrottleReservation } from '../throttling/throttle-backend.js';
import { type Clock, systemClock } from '../time/clock.js';
import {
  isWellFormedKey,
  KEY_BAD_CHECKSUM,
  KEY_WELL_FORMED,
  keyCheckAt,
  keyDigest,
} from '../tokens/key-format.js';
import { isLegacyKey } from '../tokens/legacy-key-format.js';
import { TokenCache } from '../tokens/token-cache.js';
import type { TokenUseRecorder } from '../tokens/token-use-recorder.js';
import type { Authentication, Authenticator } from './authenticator.js';
import {
  isPlainKeyAt,
  NO_CREDENTIALS,
  parseAuthorizationHeader,
  usualKeyStart,
} from './authorization-header.js';
import { type ClientAddressResolver, peerAddress } from './client-address.js';
import type { LiveDrfKeys } from './live-drf-keys.js';

/** The `Authorization` scheme DRF accepts, and the one tessera accepts unless told otherwise. */
export const DEFAULT_KEYWORDS: readonly string[] = Object.freeze(['Token']);

// What a malformed key is refused with, copied per refusal (see `freshCopy`): anyone can send
// malformed keys as fast as they like, and each is refused without a read.
const INVALID_TOKEN = new AuthenticationFailed('Invalid token.');

// An answer, or a refusal to throw at once (an `ApiError`, returned: see `#answer`).
type Answer<T> = T | Promise<T> | ApiError;

// What a failed authentication tells listeners: why, from where, and whose token when one matched.
type AuthenticationFailure = TesseraEventMap['authentication_failed'];

/** Options of `TokenAuthentication`. */
export interface TokenAuthenticationOptions {
  /** Where tokens are looked up by digest. */
  readonly store: TokenLookup;
  /**
   * Accepted `Authorization` schemes, matched case-insensitively. The first one is sent in
   * `WWW-Authenticate`. Default `['Token']`, as DRF; adding `Bearer` changes DRF's answer to
   * `Bearer <key>` from "not my scheme" to a token check.
   */
  readonly keywords?: readonly string[];
  /** Decides expiry; default the system clock. */
  readonly clock?: Clock;
  /** Receives `authenticated` and `authentication_failed`. */
  readonly events?: TesseraEvents;
  /** Records last use and sliding expiry off the request's path. */
  readonly usage?: TokenUseRecorder;
  /**
   * Counts failed authentications per client address (`keyGuessLimit`); past its limit the
   * address gets 429 before any database read. None by default; `createTessera` sets one.
   */
  readonly keyGuessLimit?: FailureLimit;
  /** How the client address is found; default the peer address. */
  readonly clientAddress?: ClientAddressResolver;
  /**
   * Accept DRF's keys (40 lowercase hex characters) beside `tsr_` keys, looked up by digest the
   * same way (`tessera tokens import-drf` stores them so). Default true; false refuses them
   * without a read, as any malformed key.
   */
  readonly legacyKeys?: boolean;
  /**
   * Live mode: a DRF key `store` does not hold is looked up in Django's `authtoken_token` as it is
   * now. None by default; `createTessera` sets one with `drfTokens: 'read'`.
   */
  readonly liveDrfKeys?: LiveDrfKeys;
}

/**
 * DRF's `TokenAuthentication` over hashed keys: `Authorization: Token <key>`.
 * @example
 * const tokenAuthentication = new TokenAuthentication({ store });
 * defineView({ authentication: [tokenAuthentication], permissions: [IsAuthenticated], post });
 */
export class TokenAuthentication implements Authenticator {
  readonly keywords: readonly string[];
  readonly #lowercaseKeywords: readonly string[];
  readonly #usualKeywords: readonly string[];
  readonly #store: TokenLookup;
  // The store itself when it is a token cache: a hit is then answered without a promise.
  readonly #cache: TokenCache | undefined;
  readonly #clock: Clock;
  readonly #events: TesseraEvents | undefined;
  readonly #usage: TokenUseRecorder | undefined;
  readonly #keyGuessLimit: FailureLimit | undefined;
  readonly #clientAddress: ClientAddressResolver;
  readonly #legacyKeys: boolean;
  readonly #liveDrfKeys: LiveDrfKeys | undefined;

  constructor(options: TokenAuthenticationOptions) {
    this.#store = options.store;
    this.#cache = options.store instanceof TokenCache ? options.store : undefined;
    this.keywords = options.keywords?.length ? options.keywords : DEFAULT_KEYWORDS;
    this.#lowercaseKeywords = this.keywords.map((keyword) => keyword.toLowerCase());
    // A keyword holding whitespace never matches (DRF splits the header on it): never usual.
    this.#usualKeywords = this.#lowercaseKeywords.filter(
      (keyword) => keyword !== '' && !/[\t\n\v\f\r ]/.test(keyword),
    );
    this.#clock = options.clock ?? systemClock;
    this.#events = options.events;
    this.#usage = options.usage;
    this.#keyGuessLimit = options.keyGuessLimit;
    this.#clientAddress = options.clientAddress ?? peerAddress;
    this.#legacyKeys = options.legacyKeys ?? true;
    this.#liveDrfKeys = this.#legacyKeys ? options.liveDrfKeys : undefined;
  }

  /**
   * DRF's `authenticate`. A key the token cache holds, from an address the key-guess limit can
   * clear at once, is answered without a promise (the value itself); so is a refusal when no
   * failure has to be counted (thrown at once). Otherwise a promise: callers `await` the result
   * either way.
   */
  authenticate(request: ViewRequest): Authentication | null | Promise<Authentication | null> {
    const answer = this.#answer(request);
    if (answer instanceof ApiError) throw answer;
    return answer;
  }

  /**
   * Checks a key already taken out of its header (DRF's `authenticate_credentials`); a value or
   * a promise, as `authenticate`.
   */
  authenticateCredentials(
    key: string,
    remoteAddress?: string,
  ): Authentication | Promise<Authentication> {
    const answer = this.#checkKey(key, remoteAddress);
    if (answer instanceof ApiError) throw answer;
    return answer;
  }

  // What `authenticate` answers, with a refusal to throw at once returned, not thrown: V8
  // optimises a function once it has returned often enough, so code that only ever threw (a run
  // of refusals) stayed in the interpreter, at several times the cost. Only the small public
  // methods throw.
  #answer(request: ViewRequest): Answer<Authentication | null> {
    const address = this.#clientAddress(request);
    const header = request.header('authorization');
    // Nearly every header is `<keyword> <key>`: one space, then a key of printable ASCII. DRF's
    // split gives that key as it is, so the general parse is skipped. The key is checked where
    // it lies and taken out only when well formed (or to be checked further).
    const start = header === undefined ? 0 : usualKeyStart(header, this.#usualKeywords);
    if (start !== 0) {
      const usual = header as string;
      const check = keyCheckAt(usual, start);
      if (check === KEY_WELL_FORMED) {
        return this.#authenticateWellFormed(usual.slice(start), address);
      }
      // A key of tessera's shape with a wrong checksum is base62: plain, no second look needed.
      if (check === KEY_BAD_CHECKSUM || isPlainKeyAt(usual, start)) {
        return this.#checkMalformed(usual.slice(start), address);
      }
    }
    let key: string | null;
    try {
      key = parseAuthorizationHeader(header, this.#lowercaseKeywords);
    } catch (error) {
      // The parser throws only DRF's header errors; anything else is not a refusal.
      if (!(error instanceof ApiError)) throw error;
      // A header error is a failure too (or, past the limit, a 429).
      const reason = error.message === NO_CREDENTIALS ? 'no_credentials' : 'invalid_header';
      return this.#refusal(error, { reason, remoteAddress: address });
    }
    if (key === null) return null;
    // Through the public method, as it always went (a subclass may override it); its refusal is
    // thrown there, which this rare path can afford.
    return this.authenticateCredentials(key, address);
  }

  #checkKey(key: string, remoteAddress: string | undefined): Answer<Authentication> {
    if (isWellFormedKey(key)) return this.#authenticateWellFormed(key, remoteAddress);
    return this.#checkMalformed(key, remoteAddress);
  }

  // A key that fails the grammar or its checksum cannot exist: it is refused without a read.
  // DRF's keys (when accepted) take the same lookup as tessera's.
  #checkMalformed(key: string, remoteAddress: string | undefined): Answer<Authentication> {
    if (this.#legacyKeys && isLegacyKey(key)) {
      return this.#authenticateWellFormed(key, remoteAddress);
    }
    return this.#refusal(freshCopy(INVALID_TOKEN), {
      reason: 'malformed_key',
      remoteAddress,
    });
  }

  #authenticateWellFormed(
    key: string,
    remoteAddress: string | undefined,
  ): Authentication | Promise<Authentication> {
    // Lookup by digest: the database never sees the key, and timing depends only on the digest.
    const digest = keyDigest(key);
    const cache = this.#cache;
    if (cache !== undefined) {
      // The hit path reads the clock once: the cache's freshness, expiry and the use record.
      const now = this.#clock.now();
      // An address the limit clears now would have its reservation released at once, so none
      // is taken; one near or past the limit takes the path below, which reserves (or 429s).
      if (
        this.#keyGuessLimit === undefined ||
        this.#keyGuessLimit.admitsNow(remoteAddress ?? 'None', now)
      ) {
        const match = cache.cachedMatch(digest, now);
        // The cache serves only unexpired tokens; an inactive user's is refused below.
        if (match?.user.isActive) return this.#succeeded(match, now);
      }
    }
    return this.#authenticateDigest(key, digest, remoteAddress);
  }

  async #authenticateDigest(
    key: string,
    digest: string,
    remoteAddress?: string,
  ): Promise<Authentication> {
    // Held while the key is checked: a failure below keeps it, a valid key releases it.
    const guess = await this.#reserveGuess(remoteAddress);
    let match: Awaited<ReturnType<TokenLookup['findTokenByDigest']>>;
    try {
      match = await this.#store.findTokenByDigest(digest);
      // Live mode: a DRF key tessera does not hold may be in Django's table right now. Read
      // under the same reservation, so live guesses count against the same limit.
      if (match === null && this.#liveDrfKeys !== undefined && isLegacyKey(key)) {
        match = await this.#liveDrfKeys.find(key);
      }
    } catch (error) {
      // A store that failed says nothing about the key: not a failure.
      if (guess !== undefined) void this.#keyGuessLimit?.release(guess);
      throw error;
    }
    if (match === null) {
      await this.#failed(guess, { reason: 'invalid_token', remoteAddress });
      throw new AuthenticationFailed('Invalid token.');
    }
    const { token, user } = match;
    const now = this.#clock.now();
    // Valid while now is before `expires`: at the instant itself the token has expired.
    if (token.expires !== null && token.expires.getTime() <= now) {
      await this.#failed(guess, {
        reason: 'expired',
        remoteAddress,
        tokenId: token.id,
        userId: user.id,
      });
      throw new AuthenticationFailed('Token has expired.', 'token_expired');
    }
    if (!user.isActive) {
      await this.#failed(guess, {
        reason: 'inactive_user',
        remoteAddress,
        tokenId: token.id,
        userId: user.id,
      });
      throw new AuthenticationFailed('User inactive or deleted.');
    }
    // A valid key is never counted. Not awaited: release never rejects, the memory backend's
    // is done before it returns, and Redis's need not hold up the answer (until it lands the
    // address has one more attempt in flight, which only delays others from it).
    if (guess !== undefined) void this.#keyGuessLimit?.release(guess);
    return this.#succeeded(match, now);
  }

  // A valid key: its use is noted (written later, in a batch) and told to listeners, if any. A
  // live DRF key (kind `drf`) has no row in tessera_token to note its use in.
  #succeeded(match: TokenMatch, now: number): Authentication {
    const { token, user } = match;
    if (token.kind !== 'drf') this.#usage?.noteUse(token, now);
    if (this.#events?.listens('authenticated')) {
      this.#events.emit('authenticated', { userId: user.id, tokenId: token.id, kind: token.kind });
    }
    return { user, auth: token };
  }

  // A refusal before any read. With no limit to count it in, the error itself, for the public
  // method to throw at once (see `#answer`); otherwise a promise: the address's attempt is
  // reserved (past the limit: 429) and kept as a failure, then it rejects with the error.
  #refusal(error: ApiError, failure: AuthenticationFailure): ApiError | Promise<never> {
    const limit = this.#keyGuessLimit;
    if (limit === undefined || limit.rate === null) {
      this.#tell(failure);
      return error;
    }
    return this.#refuseCounted(error, failure);
  }

  async #refuseCounted(error: ApiError, failure: AuthenticationFailure): Promise<never> {
    await this.#failed(await this.#reserveGuess(failure.remoteAddress), failure);
    throw error;
  }

  authenticateHeader(): string {
    return this.keywords[0] as string;
  }

  // Past the limit on failures an address gets 429 before any database read, so guessing keys
  // costs the guesser time and the database nothing. The place is held from before the read,
  // so guesses in flight together cannot pass the limit; when attempts in flight (not failures)
  // fill it, this one waits for them rather than refusing a client that may hold a valid key.
  async #reserveGuess(remoteAddress: string | undefined): Promise<ThrottleReservation | undefined> {
    const limit = this.#keyGuessLimit;
    if (limit === undefined) return undefined;
    let reservation = await limit.reserve(remoteAddress ?? 'None');
    if (!reservation.allowed && reservation.busy) {
      reservation = await limit.reserveWhileBusy(remoteAddress ?? 'None');
    }
    if (!reservation.allowed) throw new Throttled(reservation.wait);
    return reservation;
  }

  // A failure counts against the address (its reservation is kept) and is told to listeners.
  async #failed(
    guess: ThrottleReservation | undefined,
    failure: AuthenticationFailure,
  ): Promise<void> {
    this.#tell(failure);
    if (guess !== undefined) await this.#keyGuessLimit?.keep(guess);
  }

  // Tells listeners of a failure; builds nothing when there are none.
  #tell(failure: AuthenticationFailure): void {
    if (!this.#events?.listens('authentication_failed')) return;
    const { reason, remoteAddress, tokenId, userId } = failure;
    this.#events.emit('authentication_failed', {
      reason,
      ...(tokenId === undefined ? {} : { tokenId, userId }),
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
    });
  }
}
