import { hash } from 'node:crypto';
import { Throttled } from '../errors.js';
import { type Clock, systemClock } from '../time/clock.js';
import { FailureLimit } from './failure-limit.js';
import type { RememberedSetLimit, ThrottleBackend } from './throttle-backend.js';
import { reserveWhileBusy } from './while-busy.js';

/** The default limits on failed logins; each is a setting (`TESSERA_LOGIN_FAILURES_*`). */
export const DEFAULT_LOGIN_FAILURE_RATES = Object.freeze({
  perUserAndAddress: '5/min',
  perUser: '20/min',
  perAddress: '30/min',
});

/** How many addresses a user is remembered logging in from, and for how long, by default. */
export const DEFAULT_KNOWN_ADDRESSES = Object.freeze({ max: 10, ttlMs: 30 * 86_400_000 });

/** Options of `LoginThrottle`; a rate left out takes its default, null switches it off. */
export interface LoginThrottleOptions {
  readonly backend: ThrottleBackend;
  readonly clock?: Clock;
  /** Failed logins per username from one client address. Default `5/min`. */
  readonly perUserAndAddress?: string | null;
  /** Failed logins per username from addresses it never logged in from. Default `20/min`. */
  readonly perUser?: string | null;
  /** Failed logins per client address, whatever the username. Default `30/min`. */
  readonly perAddress?: string | null;
  /**
   * Addresses remembered per user after a successful login (the most recent, each for `ttlMs`
   * after its last login), which the per-username limit does not refuse. Default 10 for 30
   * days; a `max` of 0 remembers none.
   */
  readonly knownAddresses?: RememberedSetLimit;
}

/** One login attempt's place in the limits, held while it is in flight; end it with one call. */
export interface LoginAttempt {
  /** The password was right: the attempt never counts, and the address is remembered. */
  succeeded(): Promise<void>;
  /** The credentials were wrong: the attempt counts as a failure in every limit. */
  failed(): Promise<void>;
  /** The attempt ended before its credentials were judged (a store error): it never counts. */
  abandoned(): Promise<void>;
}

const ENDED = Promise.resolve();
/** The attempt when every limit is off: nothing to count or take back. */
const UNLIMITED_ATTEMPT: LoginAttempt = Object.freeze({
  succeeded: () => ENDED,
  failed: () => ENDED,
  abandoned: () => ENDED,
});

// JSON.stringify escapes lone surrogates, so every distinct username has a distinct digest; the
// digest keeps usernames (and huge ones) out of the backend's keys.
function usernameDigest(username: string): string {
  return hash('sha256', JSON.stringify(username), 'base64url');
}

/**
 * Limits failed obtain-token attempts per (username, client address), per username and per
 * address. An attempt reserves its place in all three at once before the password is hashed
 * (a refused attempt costs no hash, and concurrent attempts cannot pass a limit together), and a
 * success takes it back, so a user who logs in is never slowed. Unknown and known usernames
 * count alike, so the limits say nothing about which exist. The per-username limit does not
 * refuse an address the user logged in from before (OWASP's device cookies, keyed by address),
 * so a guess spread over many addresses cannot lock the owner out of a known one.
 * @example
 * const attempt = await loginThrottle.reserve(username, address); // throws Throttled (429)
 * await (user ? attempt.succeeded() : attempt.failed());
 */
export class LoginThrottle {
  readonly #backend: ThrottleBackend;
  readonly #clock: Clock;
  readonly #perUserAndAddress: FailureLimit;
  readonly #perUser: FailureLimit;
  readonly #perAddress: FailureLimit;
  readonly #known: RememberedSetLimit;

  constructor(options: LoginThrottleOptions) {
    const { backend } = options;
    this.#backend = backend;
    this.#clock = options.clock ?? systemClock;
    const limit = (scope: string, rate: string | null) =>
      new FailureLimit({ backend, rate, scope });
    this.#perUserAndAddress = limit(
      'tessera_login_user_address',
      pick(options.perUserAndAddress, DEFAULT_LOGIN_FAILURE_RATES.perUserAndAddress),
    );
    this.#perUser = limit(
      'tessera_login_user',
      pick(options.perUser, DEFAULT_LOGIN_FAILURE_RATES.perUser),
    );
    this.#perAddress = limit(
      'tessera_login_address',
      pick(options.perAddress, DEFAULT_LOGIN_FAILURE_RATES.perAddress),
    );
    this.#known = options.knownAddresses ?? DEFAULT_KNOWN_ADDRESSES;
    if (!Number.isSafeInteger(this.#known.max) || this.#known.max < 0 || !(this.#known.ttlMs > 0)) {
      throw new RangeError('knownAddresses needs a non-negative integer max and a positive ttlMs.');
    }
  }

  /**
   * Reserves one attempt of `username` from `address` in every limit at once, or throws
   * `Throttled` (429 with `Retry-After`, the longest wait) having counted nothing.
   */
  async reserve(username: string, address: string | undefined): Promise<LoginAttempt> {
    const user = usernameDigest(username);
    const where = address ?? 'None';
    const knownKey = `tessera_login_known_${user}`;
    const rememberable = address !== undefined && this.#known.max > 0;
    const perUser = this.#perUser.window(user);
    const skipPerUser =
      perUser !== null &&
      rememberable &&
      (await this.#backend.isRemembered(knownKey, where, this.#clock.now(), this.#known.ttlMs));
    const windows = [
      this.#perUserAndAddress.window(`${user}_${where}`),
      skipPerUser ? null : perUser,
      this.#perAddress.window(where),
    ].filter((window) => window !== null);
    if (windows.length === 0) return UNLIMITED_ATTEMPT;
    // Attempts in flight that fill a window (several right passwords at once) are waited for.
    const reservation = await reserveWhileBusy(() =>
      this.#backend.reserve(windows, this.#clock.now()),
    );
    if (!reservation.allowed) throw new Throttled(reservation.wait);
    const remember = () =>
      rememberable
        ? this.#backend.remember(knownKey, where, this.#clock.now(), this.#known)
        : undefined;
    return {
      succeeded: async () => {
        await Promise.all([this.#backend.release(reservation), remember()]);
      },
      failed: () => this.#backend.keep(reservation),
      abandoned: () => this.#backend.release(reservation),
    };
  }
}
function pick(rate: string | null | undefined, fallback: string): string | null {
  return rate === undefined ? fallback : rate;
}
