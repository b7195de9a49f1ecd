import type { Clock } from '../time/clock.js';
import { FailureLimit } from './failure-limit.js';
import type { ThrottleBackend } from './throttle-backend.js';

/** Failed token authentications allowed per client address by default (`TESSERA_KEY_FAILURES_PER_IP`). */
export const DEFAULT_KEY_FAILURE_RATE = '60/min';

/**
 * The limit on failed token authentications per client address: a key that fails the grammar or
 * checksum, matches no token, has expired or belongs to an inactive user counts; a valid key
 * never does. Past it, the address gets 429 before any database read.
 * @example
 * new TokenAuthentication({ store, keyGuessLimit: keyGuessLimit(backend) });
 */
export function keyGuessLimit(
  backend: ThrottleBackend,
  rate: string | null = DEFAULT_KEY_FAILURE_RATE,
  clock?: Clock,
): FailureLimit {
  return new FailureLimit({
    backend,
    rate,
    scope: 'tessera_key_guess',
    ...(clock ? { clock } : {}),
  });
}
