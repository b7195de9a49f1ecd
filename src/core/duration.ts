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
 * Reads a duration such as `30d` (`s`, `m` minutes, `h`, `d`, `w`) as seconds; null when the text
 * is not one, or is zero.
 * @example
 * parseDuration('12h'); // 43200
 */
export function parseDuration(text: string): number | null {
  const match = /^([1-9][0-9]{0,8})([smhdw])$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
}
