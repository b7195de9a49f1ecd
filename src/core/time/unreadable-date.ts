/**
 * The instant tessera gives a stored date it cannot read (a value written by hand, by another
 * tool, or out of a database's range): the earliest a `Date` holds. An unreadable expiry has
 * therefore passed, so the token is refused ("Token has expired.") rather than trusted, and the
 * other tokens read as usual; listings show the date as `unreadable`.
 */
export const UNREADABLE_DATE_TIME = -8.64e15;

/** What a listing shows for an unreadable date. */
export const UNREADABLE = 'unreadable';

/** A fresh `Date` at `UNREADABLE_DATE_TIME` (dates are mutable, so never a shared one). */
export function unreadableDate(): Date {
  return new Date(UNREADABLE_DATE_TIME);
}

/** A decoded date, or the unreadable one when it is not a valid date (`Infinity`, zero dates). */
export function readableOrUnreadable(date: Date): Date {
  return Number.isNaN(date.getTime()) ? unreadableDate() : date;
}

/** A date as ISO 8601 UTC with `Z`, or `unreadable`. */
export function describeDate(date: Date): string {
  return date.getTime() === UNREADABLE_DATE_TIME ? UNREADABLE : date.toISOString();
}
