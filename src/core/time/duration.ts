const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/** The message for a duration that cannot be read. */
export const INVALID_DURATION =
  'Enter a duration: a whole number and one unit of s, m, h, d or w, such as 30d.';

/**
 * The longest duration tessera takes anywhere (a token's `expires_in` and `max_age`, the CLI's
 * flags, duration settings): 18250 days, 50 years. Any date it adds up to stays far below
 * 9999-12-31 23:59:59, the latest SQLite's datetime text, PostgreSQL's `timestamptz` and MySQL's
 * `datetime(6)` all hold, and a sliding lifetime fits the 32-bit `sliding_seconds` column
 * (2^31 - 1 seconds is 68 years, which also rules out 100).
 */
export const MAX_DURATION_SECONDS = 18_250 * 86_400;

/** The message for a duration beyond `MAX_DURATION_SECONDS`, in DRF's `max_value` words. */
export const DURATION_TOO_LONG = 'Ensure this value is less than or equal to 18250d (50 years).';

/**
 * Reads a duration such as `30d` (`s`, `m` minutes, `h`, `d`, `w`) as seconds; null when the text
 * is not one, or is zero. It does not bound the result: `readDuration` does.
 * @example
 * parseDuration('12h'); // 43200
 */
export function parseDuration(text: string): number | null {
  const match = /^([1-9][0-9]{0,8})([smhdw])$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
}

/** A duration in seconds, or the message that refuses it: the one check every input goes through. */
export type DurationResult = { readonly seconds: number } | { readonly error: string };

/**
 * Reads a duration as `parseDuration` does and refuses one longer than `MAX_DURATION_SECONDS`.
 * @example
 * readDuration('30d'); // { seconds: 2592000 }
 * readDuration('9999999w'); // { error: 'Ensure this value is less than or equal to 18250d (50 years).' }
 */
export function readDuration(text: string): DurationResult {
  const seconds = parseDuration(text);
  if (seconds === null) return { error: INVALID_DURATION };
  return checkDurationSeconds(seconds);
}

/** Checks a duration given in seconds (library callers): a whole number from 1 to the maximum. */
export function checkDurationSeconds(seconds: number): DurationResult {
  if (!Number.isSafeInteger(seconds) || seconds < 1) return { error: INVALID_DURATION };
  if (seconds > MAX_DURATION_SECONDS) return { error: DURATION_TOO_LONG };
  return { seconds };
}
