import { Throttled } from '../errors.js';
import type { Request } from '../http/request.js';
import type { Throttle, ThrottledView } from './throttle.js';

/**
 * DRF's `APIView.check_throttles`: asks every throttle (none is skipped once one refuses, so each
 * records the request it allows) and, when any refused, throws `Throttled` with the longest known
 * wait, or with none when no refusal knew its wait.
 */
export async function checkThrottles(
  throttles: readonly Throttle[],
  request: Request,
  view: ThrottledView,
): Promise<void> {
  if (throttles.length === 0) return;
  const waits: (number | null)[] = [];
  let refused = false;
  for (const throttle of throttles) {
    const decision = await throttle.allowRequest(request, view);
    if (!decision.allowed) {
      refused = true;
      waits.push(decision.wait);
    }
  }
  if (!refused) return;
  const known = waits.filter((wait): wait is number => wait !== null);
  throw new Throttled(known.length > 0 ? Math.max(...known) : null);
}
