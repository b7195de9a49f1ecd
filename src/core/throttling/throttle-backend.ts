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

/** How a remembered set is bounded: its `max` most recent members, each for `ttlMs`. */
export interface RememberedSetLimit {
  readonly max: number;
  readonly ttlMs: number;
}

/** An attempt in flight, held by `reserve` until `keep` (it failed) or `release` (it did not). */
export interface ThrottleReservation {
  readonly allowed: true;
  /** The windows that hold the attempt. */
  readonly limits: readonly WindowLimit[];
  /** The instant reserved (ms), and the failure's time if kept. */
  readonly at: number;
  /** Tells this attempt from others at the same instant (Redis's sorted-set member). */
  readonly id: string;
}

/** A refused reservation: nothing was recorded. */
export interface ThrottleRefusal {
  readonly allowed: false;
  /** Seconds until every window full of failures has room, or null when unknown. */
  readonly wait: number | null;
  /**
   * True when no window is full of failures but attempts still in flight fill one: retry once
   * they end (a valid key in flight must not cost another client its turn for good).
   */
  readonly busy?: true;
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
   * Checks and holds in one atomic step, over all `limits` at once. In each window, failures
   * (kept attempts) and attempts in flight count against the limit, after dropping those at or
   * before `now - durationMs`. When every window has room, holds one attempt in flight in each
   * and returns the reservation; otherwise holds nothing and refuses: with the exact wait when
   * failures fill a window, or `busy` when attempts in flight do. Concurrent attempts thus can
   * never pass a limit together.
   */
  reserve(
    limits: readonly WindowLimit[],
    now: number,
  ): Promise<ThrottleReservation | ThrottleRefusal>;
  /**
   * Optional, synchronous: true when `reserve([limit], now)` would hold an attempt at once (no
   * window full of failures or of attempts in flight); holds nothing. A backend that can answer
   * without a round trip (memory) implements it, so a request decided at once (a token cache
   * hit) needs no reservation; without it, such requests reserve and release as any other.
   */
  admitsNow?(limit: WindowLimit, now: number): boolean;
  /** The attempt failed: it counts as a failure at `reservation.at`, in every window. */
  keep(reservation: ThrottleReservation): Promise<void>;
  /**
   * The attempt did not fail: it no longer counts at all. Never rejects: a release that cannot
   * reach the backend leaves the attempt to leave with its window.
   */
  release(reservation: ThrottleReservation): Promise<void>;
  /**
   * Adds `member` to the set at `key`, dated `now`: the set keeps its `limit.max` most recent
   * members, each for `limit.ttlMs` after it was last added.
   */
  remember(key: string, member: string, now: number, limit: RememberedSetLimit): Promise<void>;
  /** Whether `member` was added to the set at `key` less than `ttlMs` before `now` (and kept). */
  isRemembered(key: string, member: string, now: number, ttlMs: number): Promise<boolean>;
  /** Releases connections; the backend is unusable afterwards. */
  close(): Promise<void>;
}
