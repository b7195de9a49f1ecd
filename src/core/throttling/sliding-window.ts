/** A refused request's window, as `drfWait` reads it. */
export interface RefusedWindow {
  /** Requests recorded in the window. */
  readonly count: number;
  /** The oldest timestamp in the window (DRF's `history[-1]`), null for an empty one. */
  readonly oldest: number | null;
  readonly now: number;
  readonly limit: number;
  readonly durationMs: number;
}

/**
 * DRF's `SimpleRateThrottle.wait()` for a refused request: the window's remaining time spread over
 * the requests still available, or null when none are (after a rate was lowered).
 * @example
 * // 30: DRF's "no history at 1/60 s"
 * drfWait({ count: 0, oldest: null, now: Date.now(), limit: 1, durationMs: 60_000 });
 */
export function drfWait({ count, oldest, now, limit, durationMs }: RefusedWindow): number | null {
  const remainingMs = oldest === null ? durationMs : durationMs - (now - oldest);
  const available = limit - count + 1;
  if (available <= 0) return null;
  return remainingMs / available / 1000;
}

/**
 * Seconds until a window of `limit` is no longer full: `freeing` is the entry whose expiry brings
 * the count below `limit` (the `limit`-th newest), and it leaves the window at `freeing + duration`.
 */
export function waitUntilFree(freeing: number, now: number, durationMs: number): number {
  return Math.max(0, freeing + durationMs - now) / 1000;
}
