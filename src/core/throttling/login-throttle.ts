import { hash } from 'node:crypto';
import type { Clock } from '../clock.js';
import { Throttled } from '../errors.js';
import { FailureLimit } from './failure-limit.js';
import type { ThrottleBackend } from './throttle-backend.js';

/** The default limits on failed logins; each is a setting (`TESSERA_LOGIN_FAILURES_*`). */
export const DEFAULT_LOGIN_FAILURE_RATES = Object.freeze({
  perUserAndAddress: '5/min',
  perUser: '20/min',
  perAddress: '30/min',
});

/** Options of `LoginThrottle`; a rate left out takes its default, null switches it off. */
export interface LoginThrottleOptions {
  readonly backend: ThrottleBackend;
  readonly clock?: Clock;
  /** Failed logins per username from one client address. Default `5/min`. */
  readonly perUserAndAddress?: string | null;
  /** Failed logins per username from anywhere: a looser ceiling. Default `20/min`. */
  readonly perUser?: string | null;
  /** Failed logins per client address, whatever the username. Default `30/min`. */
  readonly perAddress?: string | null;
}

// JSON.stringify escapes lone surrogates, so every distinct username has a distinct digest; the
// digest keeps usernames (and huge ones) out of the backend's keys.
function usernameDigest(username: string): string {
  return hash('sha256', JSON.stringify(username), 'base64url');
}

/**
 * Limits failed obtain-token attempts per (username, client address), per username and per
 * address. Check before the password is hashed, so a refused attempt costs no hash; record only
 * failures, so a user who logs in is never slowed. Unknown and known usernames count alike, so
 * the limit says nothing about which exist.
 * @example
 * await loginThrottle.check(username, address); // throws Throttled (429)
 * if (!user) await loginThrottle.recordFailure(username, address);
 */
export class LoginThrottle {
  readonly #perUserAndAddress: FailureLimit;
  readonly #perUser: FailureLimit;
  readonly #perAddress: FailureLimit;

  constructor(options: LoginThrottleOptions) {
    const { backend, clock } = options;
    const limit = (scope: string, rate: string | null) =>
      new FailureLimit({ backend, rate, scope, ...(clock ? { clock } : {}) });
    this.#perUserAndAddress = limit(
      'tessera_login_user_address',
      pick(options.perUserAndAddress, DEFAULT_LOGIN_FAILURE_RATES.perUserAndAddress),
    );
    this.#perUser = limit(
      'tessera_login_user',
      pick(options.perUser, DEFAULT_LOGIN_FAILURE_RATES.perUser),
    );
    this.#perAddress = limit(
      'tessera_login_address',
      pick(options.perAddress, DEFAULT_LOGIN_FAILURE_RATES.perAddress),
    );
  }

  /** Throws `Throttled` (429 with `Retry-After`) when any of the three limits is reached. */
  async check(username: string, address: string | undefined): Promise<void> {
    const keys = this.#keys(username, address);
    const decisions = await Promise.all([
      this.#perUserAndAddress.check(keys.userAndAddress),
      this.#perUser.check(keys.user),
      this.#perAddress.check(keys.address),
    ]);
    const refusals = decisions.filter((decision) => !decision.allowed);
    if (refusals.length === 0) return;
    const waits = refusals.map((decision) => decision.wait).filter((wait) => wait !== null);
    throw new Throttled(waits.length > 0 ? Math.max(...waits) : null);
  }

  /** Counts one failed attempt against all three limits. */
  async recordFailure(username: string, address: string | undefined): Promise<void> {
    const keys = this.#keys(username, address);
    await Promise.all([
      this.#perUserAndAddress.recordFailure(keys.userAndAddress),
      this.#perUser.recordFailure(keys.user),
      this.#perAddress.recordFailure(keys.address),
    ]);
  }

  #keys(username: string, address: string | undefined) {
    const user = usernameDigest(username);
    const where = address ?? 'None';
    return { user, address: where, userAndAddress: `${user}_${where}` };
  }
}

function pick(rate: string | null | undefined, fallback: string): string | null {
  return rate === undefined ? fallback : rate;
}
