/**
 * DRF's `SimpleRateThrottle.wait()` for a refused request: the window's remaining time spread over
 * the requests still available, or null when none are (after a rate was lowered).
 * `oldest` is the oldest timestamp in the window (DRF's `history[-1]`), null for an empty one.
 * @example
 * drfWait(0, null, Date.now(), 1, 60_000); // 30: DRF's "no history at 1/60 s"
 */
export function drfWait(
  count: number,
  oldest: number | null,
  now: number,
  limit: number,
  durationMs: number,
): number | null {
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
