import { unreadableDate } from '../../core/time/unreadable-date.js';

// Django's SQLite backend stores `str(naive UTC datetime)`: microseconds, or none at all when zero.

/**
 * Writes a date as Django does on SQLite: naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`, without the
 * fraction when it is zero. Such text also sorts in time order. Throws `RangeError` for a date
 * outside years 0000-9999, which that text cannot hold (`toISOString` would give `+021204-…`).
 */
export function encodeSqliteDateTime(date: Date): string {
  const iso = date.toISOString();
  if (iso.length !== 24) throw new RangeError('a SQLite datetime holds years 0000 to 9999 only');
  const seconds = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const millis = iso.slice(20, 23);
  return millis === '000' ? seconds : `${seconds}.${millis}000`;
}

/**
 * Reads Django's SQLite datetime text (with or without microseconds) as a UTC date; other text
 * (written by hand or another tool) reads as the unreadable date, so one bad row fails closed
 * instead of failing every read. It runs for every date of every authenticated request, so it
 * reads digits by char code instead of a regex.
 */
export function decodeSqliteDateTime(text: string): Date {
  // SQLite keeps any type in any column: a number here has no length, which fails this test too.
  const length = text.length;
  // `YYYY-MM-DD HH:MM:SS`, then nothing or `.` and 1 to 6 digits.
  if (
    !(length === 19 || (length >= 21 && length <= 26)) ||
    text.charCodeAt(4) !== 0x2d ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x20 ||
    text.charCodeAt(13) !== 0x3a ||
    text.charCodeAt(16) !== 0x3a ||
    (length > 19 && text.charCodeAt(19) !== 0x2e)
  ) {
    return unreadableDate();
  }
  // Dates carry milliseconds: Django's microseconds are cut, not rounded, so ordering holds.
  let millis = 0;
  for (let i = 20; i < 23; i++) millis = millis * 10 + (i < length ? digit(text, i) : 0);
  let extra = 0;
  for (let i = 23; i < length; i++) extra += digit(text, i);
  const time = Date.UTC(
    digits(text, 0, 4),
    digits(text, 5, 7) - 1,
    digits(text, 8, 10),
    digits(text, 11, 13),
    digits(text, 14, 16),
    digits(text, 17, 19),
    millis,
  );
  // A non-digit anywhere made a NaN, which every sum and `Date.UTC` carry through.
  return Number.isNaN(time + extra) ? unreadableDate() : new Date(time);
}

function digit(text: string, at: number): number {
  const value = text.charCodeAt(at) - 0x30;
  return value >= 0 && value <= 9 ? value : Number.NaN;
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + digit(text, i);
  return value;
}
