import type { Request } from '../http/request.js';
import { SimpleRateThrottle, type SimpleRateThrottleOptions } from './simple-rate-throttle.js';

/**
 * DRF's `AnonRateThrottle` (scope `anon`): limits unauthenticated requests per client address;
 * authenticated ones pass untouched.
 * @example
 * defineView({ throttles: [new AnonRateThrottle({ backend, rate: '100/day' })], get });
 */
export class AnonRateThrottle extends SimpleRateThrottle {
  constructor(options: SimpleRateThrottleOptions) {
    super(options, 'anon');
  }

  cacheKey(request: Request): string | null {
    if (request.user.isAuthenticated) return null;
    return `throttle_${this.scope}_${this.ident(request)}`;
  }
}
