import { ImproperlyConfigured } from './improperly-configured.js';

/** A parsed rate: at most `limit` requests in any window of `durationMs`. */
export interface ThrottleRate {
  readonly limit: number;
  readonly durationMs: number;
}

// DRF's table, keyed by the period's first character only: `5/min`, `5/m` and `5/mississippi`
// are the same rate, and there is no `5/10m` multiplier form.
const PERIOD_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * DRF's `SimpleRateThrottle.parse_rate`: `"<count>/<period>"`, where only the period's first
 * letter (`s`, `m`, `h`, `d`) counts; null (DRF's None) means no limit.
 * @example
 * parseRate('100/day'); // { limit: 100, durationMs: 86_400_000 }
 * parseRate(null); // null
 */
export function parseRate(rate: string | null | undefined): ThrottleRate | null {
  if (rate === null || rate === undefined) return null;
  const parts = rate.split('/');
  const count = parts[0]?.trim() ?? '';
  const seconds = PERIOD_SECONDS[parts[1]?.[0] ?? ''];
  // Python's `num, period = rate.split('/')` and `int(num)` refuse these; a negative count
  // would refuse every request, which no one means.
  if (parts.length !== 2 || !/^\+?[0-9]+$/.test(count) || seconds === undefined) {
    throw new ImproperlyConfigured(
      `Invalid throttle rate ${JSON.stringify(rate)}: expected "<count>/<period>" with a period ` +
        'starting with s, m, h or d, e.g. "5/min".',
    );
  }
  const limit = Number(count);
  if (!Number.isSafeInteger(limit)) {
    throw new ImproperlyConfigured(
      `Invalid throttle rate ${JSON.stringify(rate)}: count too large.`,
    );
  }
  return { limit, durationMs: seconds * 1000 };
}
