import type { Request } from '../http/request.js';
import { parseRate } from './rate.js';
import { SimpleRateThrottle, type SimpleRateThrottleOptions } from './simple-rate-throttle.js';
import type { ThrottledView } from './throttle.js';
import type { ThrottleDecision } from './throttle-backend.js';

/**
 * DRF's `ScopedRateThrottle`: the view names its scope (`throttleScope`), the scope names the
 * rate in `rates`; users are keyed by id, anonymous requests by client address. A view without
 * a scope is not throttled.
 * @example
 * const scoped = new ScopedRateThrottle({ backend, rates: { uploads: '20/day' } });
 * defineView({ throttles: [scoped], throttleScope: 'uploads', post });
 */
export class ScopedRateThrottle extends SimpleRateThrottle {
  constructor(options: Omit<SimpleRateThrottleOptions, 'rate'>) {
    // DRF's ScopedRateThrottle defers its rate to each request, where the view names the scope.
    super(options, null, true);
  }

  override async allowRequest(request: Request, view: ThrottledView): Promise<ThrottleDecision> {
    const scope = view.throttleScope;
    if (!scope) return { allowed: true, wait: null };
    return this.allowWithRate(request, view, parseRate(this.rateOf(scope)));
  }

  cacheKey(request: Request, view: ThrottledView): string {
    const ident = request.user.isAuthenticated ? String(request.user.id) : this.ident(request);
    return `throttle_${view.throttleScope}_${ident}`;
  }
}
