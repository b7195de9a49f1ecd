import type { Request } from '../http/request.js';
import type { ThrottleDecision } from './throttle-backend.js';

/** What a throttle may read of the view it guards (DRF passes the view instance). */
export interface ThrottledView {
  /** The view's scope for `ScopedRateThrottle` (DRF's `throttle_scope`). */
  readonly throttleScope?: string;
}

/**
 * DRF's throttle contract (`BaseThrottle`): decide whether a request may proceed and, when not,
 * how long to wait (null: unknown, no `Retry-After`). Stateful DRF throttles answer `wait()`
 * separately; here both come back together.
 */
export interface Throttle {
  allowRequest(request: Request, view: ThrottledView): Promise<ThrottleDecision>;
}
