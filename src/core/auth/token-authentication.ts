import { AuthenticationFailed, Throttled } from '../errors.js';
import type { TesseraEventMap, TesseraEvents } from '../events.js';
import type { ViewRequest } from '../http/request.js';
import type { TokenLookup } from '../store.js';
import type { FailureLimit } from '../throttling/failure-limit.js';
import type { ThrottleReservation } from '../throttling/throttle-backend.js';
import { type Clock, systemClock } from '../time/clock.js';
import { isWellFormedKey, keyDigest } from '../tokens/key-format.js';
import type { TokenUseRecorder } from '../tokens/token-use-recorder.js';
import type { Authentication, Authenticator } from './authenticator.js';
import { NO_CREDENTIALS, parseAuthorizationHeader } from './authorization-header.js';
import { type ClientAddressResolver, peerAddress } from './client-address.js';

/** The `Authorization` scheme DRF accepts, and the one tessera accepts unless told otherwise. */
export const DEFAULT_KEYWORDS: readonly string[] = Object.freeze(['Token']);

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
  readonly #store: TokenLookup;
  readonly #clock: Clock;
  readonly #events: TesseraEvents | undefined;
  readonly #usage: TokenUseRecorder | undefined;
  readonly #keyGuessLimit: FailureLimit | undefined;
  readonly #clientAddress: ClientAddressResolver;

  constructor(options: TokenAuthenticationOptions) {
    this.#store = options.store;
    this.keywords = options.keywords?.length ? options.keywords : DEFAULT_KEYWORDS;
    this.#lowercaseKeywords = this.keywords.map((keyword) => keyword.toLowerCase());
    this.#clock = options.clock ?? systemClock;
    this.#events = options.events;
    this.#usage = options.usage;
    this.#keyGuessLimit = options.keyGuessLimit;
    this.#clientAddress = options.clientAddress ?? peerAddress;
  }

  async authenticate(request: ViewRequest): Promise<Authentication | null> {
    const address = this.#clientAddress(request);
    let key: string | null;
    try {
      key = parseAuthorizationHeader(request.header('authorization'), this.#lowercaseKeywords);
    } catch (error) {
      // A header error is a failure too (or, past the limit, a 429).
      const reason =
        (error as Error).message === NO_CREDENTIALS ? 'no_credentials' : 'invalid_header';
      await this.#failed(await this.#reserveGuess(address), { reason, remoteAddress: address });
      throw error;
    }
    if (key === null) return null;
    // `return await`: one microtask, where returning the promise from an async function takes three.
    return await this.authenticateCredentials(key, address);
  }

  /** Checks a key already taken out of its header (DRF's `authenticate_credentials`). */
  async authenticateCredentials(key: string, remoteAddress?: string): Promise<Authentication> {
    // Held while the key is checked: a failure below keeps it, a valid key releases it.
    const guess = await this.#reserveGuess(remoteAddress);
    // A key that fails the grammar or its checksum cannot exist: refuse it without a read.
    if (!isWellFormedKey(key)) {
      await this.#failed(guess, { reason: 'malformed_key', remoteAddress });
      throw new AuthenticationFailed('Invalid token.');
    }
    let match: Awaited<ReturnType<TokenLookup['findTokenByDigest']>>;
    try {
      // Lookup by digest: the database never sees the key, and timing depends only on the digest.
      match = await this.#store.findTokenByDigest(keyDigest(key));
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
    this.#usage?.noteUse(token, now);
    this.#events?.emit('authenticated', { userId: user.id, tokenId: token.id, kind: token.kind });
    return { user, auth: token };
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
    const { reason, remoteAddress, tokenId, userId } = failure;
    this.#events?.emit('authentication_failed', {
      reason,
      ...(tokenId === undefined ? {} : { tokenId, userId }),
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
    });
    if (guess !== undefined) await this.#keyGuessLimit?.keep(guess);
  }
}
