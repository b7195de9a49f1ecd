import { type ClientAddressResolver, peerAddress } from '../auth/client-address.js';
import type { Request } from '../http/request.js';
import { type Clock, systemClock } from '../time/clock.js';
import { ImproperlyConfigured } from './improperly-configured.js';
import { parseRate, type ThrottleRate } from './rate.js';
import type { Throttle, ThrottledView } from './throttle.js';
import type { ThrottleBackend, ThrottleDecision } from './throttle-backend.js';

/** Rates by scope, as DRF's `DEFAULT_THROTTLE_RATES`; null means no limit. */
export type ThrottleRates = Readonly<Record<string, string | null>>;

/** DRF's `DEFAULT_THROTTLE_RATES`: the `user` and `anon` scopes exist and are unlimited. */
export const DEFAULT_THROTTLE_RATES: ThrottleRates = Object.freeze({ user: null, anon: null });

/** Options shared by the rate throttles. */
export interface SimpleRateThrottleOptions {
  /** Where the sliding logs live (`tessera.throttleBackend`, or a Redis backend). */
  readonly backend: ThrottleBackend;
  /** The rate, e.g. `100/day`; when absent it is looked up by scope in `rates` (DRF's order). */
  readonly rate?: string | null;
  /** Rates by scope (DRF's `DEFAULT_THROTTLE_RATES`); default `{ user: null, anon: null }`. */
  readonly rates?: ThrottleRates;
  /** Default the system clock. */
  readonly clock?: Clock;
  /** How the client address is found; default the peer address (`tessera.clientAddress`). */
  readonly clientAddress?: ClientAddressResolver;
}

const ALLOWED: ThrottleDecision = Object.freeze({ allowed: true, wait: null });

/**
 * DRF's `SimpleRateThrottle`: a sliding log per cache key (`throttle_<scope>_<ident>`) in the
 * backend. A subclass names its scope and says what the key of a request is; null means the
 * request is not throttled.
 */
export abstract class SimpleRateThrottle implements Throttle {
  /** DRF's `scope`: the rate's name in `rates` and the cache key's middle part. */
  readonly scope: string | null;
  /** DRF's `rate`, e.g. `3/min`; null for no limit. */
  readonly rate: string | null;
  /** The parsed rate, or null for no limit (DRF's `num_requests, duration`). */
  readonly parsedRate: ThrottleRate | null;
  protected readonly backend: ThrottleBackend;
  protected readonly clock: Clock;
  protected readonly clientAddress: ClientAddressResolver;
  protected readonly rates: ThrottleRates;

  /**
   * `scope` is the subclass's (DRF's class attribute); `deferRate` leaves the rate to each
   * request, as `ScopedRateThrottle` does.
   */
  constructor(options: SimpleRateThrottleOptions, scope: string | null, deferRate = false) {
    this.backend = options.backend;
    this.clock = options.clock ?? systemClock;
    this.clientAddress = options.clientAddress ?? peerAddress;
    this.rates = options.rates ?? DEFAULT_THROTTLE_RATES;
    this.scope = scope;
    // DRF's __init__: a rate given outright wins over the scope's.
    this.rate = options.rate ? options.rate : deferRate ? null : this.rateOf(scope);
    this.parsedRate = parseRate(this.rate);
  }

  /** DRF's `get_cache_key`: the key of this request's log, or null to let it through. */
  abstract cacheKey(request: Request, view: ThrottledView): string | null;

  /** DRF's `get_ident`: the client address, or `None` when there is none (DRF's key text). */
  ident(request: Request): string {
    return this.clientAddress(request.raw) ?? 'None';
  }

  async allowRequest(request: Request, view: ThrottledView): Promise<ThrottleDecision> {
    return this.allowWithRate(request, view, this.parsedRate);
  }

  protected async allowWithRate(
    request: Request,
    view: ThrottledView,
    rate: ThrottleRate | null,
  ): Promise<ThrottleDecision> {
    if (rate === null) return ALLOWED;
    const key = this.cacheKey(request, view);
    if (key === null) return ALLOWED;
    return this.backend.hit(key, this.clock.now(), rate.limit, rate.durationMs);
  }

  /** DRF's `get_rate`: the scope's rate, or `ImproperlyConfigured`. */
  protected rateOf(scope: string | null | undefined): string | null {
    if (!scope) {
      throw new ImproperlyConfigured(
        `You must set either \`.scope\` or \`.rate\` for '${this.constructor.name}' throttle`,
      );
    }
    if (!Object.hasOwn(this.rates, scope)) {
      throw new ImproperlyConfigured(`No default throttle rate set for '${scope}' scope`);
    }
    return this.rates[scope] ?? null;
  }
}
