import { setTimeout as sleep } from 'node:timers/promises';
import type { ThrottleRefusal, ThrottleReservation } from './throttle-backend.js';

/** Longest time an attempt waits for attempts in flight to end before it is refused. */
export const BUSY_WAIT_MS = 1000;

// Short at first (a lookup in flight ends within milliseconds), then longer, so a waiting
// attempt asks the backend (a Redis round trip each) about ten times in its second at most.
const FIRST_PAUSE_MS = 5;
const LONGEST_PAUSE_MS = 200;

/**
 * Retries `reserve` while its refusal is `busy` (attempts in flight, not failures, fill a
 * window), for at most `BUSY_WAIT_MS`; then refuses with a 1 s wait. So a burst of valid keys
 * or right passwords from one address waits for its turn instead of getting 429, while the
 * limit still holds: a waiting attempt reads and hashes nothing.
 * @example
 * const outcome = await reserveWhileBusy(() => backend.reserve(windows, clock.now()));
 */
export async function reserveWhileBusy(
  reserve: () => Promise<ThrottleReservation | ThrottleRefusal>,
): Promise<ThrottleReservation | ThrottleRefusal> {
  let waited = 0;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    const outcome = await reserve();
    if (outcome.allowed || !outcome.busy) return outcome;
    if (waited >= BUSY_WAIT_MS) return { allowed: false, wait: 1 };
    await sleep(pause);
    waited += pause;
  }
}
