import { type Clock, systemClock } from '../clock.js';
import { parseRate, type ThrottleRate } from './rate.js';
import type { ThrottleBackend, ThrottleDecision } from './throttle-backend.js';

/** Options of `FailureLimit`. */
export interface FailureLimitOptions {
  readonly backend: ThrottleBackend;
  /** Failures allowed per window, e.g. `60/min`; null switches the limit off. */
  readonly rate: string | null;
  /** Names the limit in the backend's keys, e.g. `tessera_key_guess`. */
  readonly scope: string;
  readonly clock?: Clock;
}

const ALLOWED: ThrottleDecision = Object.freeze({ allowed: true, wait: null });

/**
 * A sliding log of failures only: `check` looks before the costly or revealing step and
 * `recordFailure` counts after it failed, so successful traffic is never counted or slowed.
 * @example
 * const guesses = new FailureLimit({ backend, rate: '60/min', scope: 'tessera_key_guess' });
 * if (!(await guesses.check(address)).allowed) throw new Throttled();
 */
export class FailureLimit {
  /** The parsed rate, or null when the limit is off. */
  readonly rate: ThrottleRate | null;
  readonly #backend: ThrottleBackend;
  readonly #scope: string;
  readonly #clock: Clock;

  constructor(options: FailureLimitOptions) {
    this.rate = parseRate(options.rate);
    this.#backend = options.backend;
    this.#scope = options.scope;
    this.#clock = options.clock ?? systemClock;
  }

  /** Whether `ident` may try again now; a refusal's `wait` is exact (when a failure expires). */
  check(ident: string): Promise<ThrottleDecision> {
    if (this.rate === null) return Promise.resolve(ALLOWED);
    return this.#backend.peek(
      this.#key(ident),
      this.#clock.now(),
      this.rate.limit,
      this.rate.durationMs,
    );
  }

  /** Counts one failure of `ident`. */
  async recordFailure(ident: string): Promise<void> {
    if (this.rate === null) return;
    await this.#backend.record(
      this.#key(ident),
      this.#clock.now(),
      this.rate.limit,
      this.rate.durationMs,
    );
  }

  #key(ident: string): string {
    return `${this.#scope}_${ident}`;
  }
}
