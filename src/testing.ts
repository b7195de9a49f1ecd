/**
 * `tessera-auth/testing`: what an app's tests hand to `createTessera` in place of real time and
 * real limits.
 * @example
 * const clock = new ManualClock();
 * const tessera = createTessera({ store, clock, settings: THROTTLING_OFF });
 * clock.advance(60_000); // a token with a one-minute expiry is now expired
 * @packageDocumentation
 */

export { THROTTLING_OFF } from './core/config/settings.js';
export { type Clock, ManualClock, systemClock } from './core/time/clock.js';
