import { type Clock, systemClock } from '../time/clock.js';
import { parseRate, type ThrottleRate } from './rate.js';
import type {
  ThrottleBackend,
  ThrottleRefusal,
  ThrottleReservation,
  WindowLimit,
} from './throttle-backend.js';
import { reserveWhileBusy } from './while-busy.js';

/** Options of `FailureLimit`. */
export interface FailureLimitOptions {
  readonly backend: ThrottleBackend;
  /** Failures allowed per window, e.g. `60/min`; null switches the limit off. */
  readonly rate: string | null;
  /** Names the limit in the backend's keys, e.g. `tessera_key_guess`. */
  readonly scope: string;
  readonly clock?: Clock;
}

/** The reservation of a limit that is off: it records nothing and has nothing to release. */
const UNLIMITED: ThrottleReservation = Object.freeze({
  allowed: true,
  limits: Object.freeze([]),
  at: 0,
  id: '',
});
const UNLIMITED_PROMISE = Promise.resolve(UNLIMITED);
const RELEASED: Promise<void> = Promise.resolve();

/**
 * A sliding log of failures only. An attempt reserves its place before the costly or revealing
 * step (a refusal records nothing), then `keep`s it when it fails or `release`s it otherwise,
 * so successful traffic is never counted, and attempts in flight together never pass the limit.
 * @example
 * const guesses = new FailureLimit({ backend, rate: '60/min', scope: 'tessera_key_guess' });
 * const attempt = await guesses.reserveWhileBusy(address);
 * if (!attempt.allowed) throw new Throttled(attempt.wait);
 * await (valid ? guesses.release(attempt) : guesses.keep(attempt));
 */
export class FailureLimit {
  /** The parsed rate, or null when the limit is off. */
  readonly rate: ThrottleRate | null;
  readonly #backend: ThrottleBackend;
  readonly #scope: string;
  readonly #clock: Clock;
  #lastIdent: string | undefined;
  #lastWindow: WindowLimit | null = null;

  constructor(options: FailureLimitOptions) {
    this.rate = parseRate(options.rate);
    this.#backend = options.backend;
    this.#scope = options.scope;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Reserves one attempt of `ident`, or refuses with the exact wait (when a failure expires);
   * a `busy` refusal (attempts in flight fill the window) is worth `reserveWhileBusy`.
   */
  reserve(ident: string): Promise<ThrottleReservation | ThrottleRefusal> {
    const window = this.window(ident);
    if (window === null) return UNLIMITED_PROMISE;
    return this.#backend.reserve([window], this.#clock.now());
  }

  /**
   * True when a `reserve` of `ident` at `now` would be allowed at once, asked synchronously of a
   * backend that can tell (`ThrottleBackend.admitsNow`); holds nothing. False when the backend
   * cannot tell without a round trip: the caller then reserves.
   */
  admitsNow(ident: string, now: number = this.#clock.now()): boolean {
    if (this.rate === null) return true;
    if (this.#backend.admitsNow === undefined) return false;
    // The same address asks again and again: its window (and key string) is made once.
    if (ident !== this.#lastIdent || this.#lastWindow === null) {
      this.#lastWindow = this.window(ident);
      this.#lastIdent = ident;
    }
    return this.#backend.admitsNow(this.#lastWindow as WindowLimit, now);
  }

  /** `reserve`, waiting (a second at most) while attempts in flight fill the window. */
  reserveWhileBusy(ident: string): Promise<ThrottleReservation | ThrottleRefusal> {
    return reserveWhileBusy(() => this.reserve(ident));
  }

  /** The attempt failed: it counts from now on. */
  keep(reservation: ThrottleReservation): Promise<void> {
    if (reservation.limits.length === 0) return RELEASED;
    return this.#backend.keep(reservation);
  }

  /** The attempt did not fail: it never counts. Never rejects. */
  release(reservation: ThrottleReservation): Promise<void> {
    if (reservation.limits.length === 0) return RELEASED;
    return this.#backend.release(reservation);
  }

  /** The window `ident`'s failures count in, to reserve with others at once; null when off. */
  window(ident: string): WindowLimit | null {
    if (this.rate === null) return null;
    return {
      key: `${this.#scope}_${ident}`,
      limit: this.rate.limit,
      durationMs: this.rate.durationMs,
    };
  }
}
