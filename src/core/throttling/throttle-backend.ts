/** What a throttle backend answers for one request. */
export interface ThrottleDecision {
  readonly allowed: boolean;
  /** Seconds to wait before retrying, for a refusal; null when allowed or unknown (DRF's None). */
  readonly wait: number | null;
}

/** One sliding window to reserve in: at most `limit` entries in any `durationMs`. */
export interface WindowLimit {
  readonly key: string;
  readonly limit: number;
  readonly durationMs: number;
}

/** Attempts recorded by `reserve`: counted until released, as failures if never released. */
export interface ThrottleReservation {
  readonly allowed: true;
  /** The windows that recorded the attempt. */
  readonly limits: readonly WindowLimit[];
  /** The instant recorded (ms). */
  readonly at: number;
  /** Tells this entry from others at the same instant (Redis's sorted-set member). */
  readonly id: string;
}

/** A refused reservation: nothing was recorded. */
export interface ThrottleRefusal {
  readonly allowed: false;
  /** Seconds until every refusing window has room, or null when unknown (a limit of 0). */
  readonly wait: number | null;
}

/**
 * Where throttles keep their sliding logs: one log of timestamps (ms) per key. Every method is
 * one atomic step, so several processes sharing a backend (Redis) count together. `now` always
 * comes from the caller's clock, never the backend's, so tests move time by hand.
 */
export interface ThrottleBackend {
  /**
   * DRF's `SimpleRateThrottle.allow_request`: drops entries at or before `now - durationMs`;
   * with fewer than `limit` left, records `now` and allows; otherwise refuses without recording,
   * with DRF's `wait()`.
   */
  hit(key: string, now: number, limit: number, durationMs: number): Promise<ThrottleDecision>;
  /**
   * Checks and records in one atomic step, over all `limits` at once: when every window holds
   * fewer than its limit, records `now` in each and returns the reservation; otherwise records
   * nothing and refuses, with the exact wait until the fullest window has room. An attempt in
   * flight thus holds its place, so concurrent attempts can never pass a limit together.
   */
  reserve(
    limits: readonly WindowLimit[],
    now: number,
  ): Promise<ThrottleReservation | ThrottleRefusal>;
  /**
   * Takes a reservation back, as if the attempt never happened (it succeeded). Never rejects: a
   * release that cannot reach the backend leaves the entries to expire with their window.
   */
  release(reservation: ThrottleReservation): Promise<void>;
  /**
   * Adds `member` to the set at `key`, dated `now`: the set keeps its `max` most recent members,
   * each for `ttlMs` after it was last added.
   */
  remember(key: string, member: string, now: number, max: number, ttlMs: number): Promise<void>;
  /** Whether `member` was added to the set at `key` less than `ttlMs` before `now` (and kept). */
  isRemembered(key: string, member: string, now: number, ttlMs: number): Promise<boolean>;
  /** Releases connections; the backend is unusable afterwards. */
  close(): Promise<void>;
}
