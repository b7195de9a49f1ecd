/** What a throttle backend answers for one request. */
export interface ThrottleDecision {
  readonly allowed: boolean;
  /** Seconds to wait before retrying, for a refusal; null when allowed or unknown (DRF's None). */
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
   * Looks without recording: allowed while fewer than `limit` entries are in the window; a
   * refusal's `wait` is the exact time until one of them leaves it.
   */
  peek(key: string, now: number, limit: number, durationMs: number): Promise<ThrottleDecision>;
  /** Records `now` whatever the count (a failure counted after the fact), keeping at most `limit`. */
  record(key: string, now: number, limit: number, durationMs: number): Promise<void>;
  /** Releases connections; the backend is unusable afterwards. */
  close(): Promise<void>;
}
