import type { Request } from '../http/request.js';
import { SimpleRateThrottle, type SimpleRateThrottleOptions } from './simple-rate-throttle.js';

/**
 * DRF's `UserRateThrottle` (scope `user` unless given): limits each user by id, and anonymous
 * requests by client address.
 * @example
 * defineView({ throttles: [new UserRateThrottle({ backend, rate: '1000/day' })], post });
 */
export class UserRateThrottle extends SimpleRateThrottle {
  constructor(options: SimpleRateThrottleOptions & { readonly scope?: string }) {
    super(options, options.scope ?? 'user');
  }

  cacheKey(request: Request): string {
    const ident = request.user.isAuthenticated ? String(request.user.id) : this.ident(request);
    return `throttle_${this.scope}_${ident}`;
  }
}
