// Django's SQLite backend stores `str(naive UTC datetime)`: microseconds, or none at all when zero.
const DJANGO_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * Writes a date as Django does on SQLite: naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`, without the
 * fraction when it is zero. Such text also sorts in time order.
 */
export function encodeSqliteDateTime(date: Date): string {
  const iso = date.toISOString();
  const seconds = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const millis = iso.slice(20, 23);
  return millis === '000' ? seconds : `${seconds}.${millis}000`;
}

/** Reads Django's SQLite datetime text (with or without microseconds) as a UTC date. */
export function decodeSqliteDateTime(text: string): Date {
  const match = DJANGO_DATETIME.exec(text);
  if (match === null) throw new TypeError('unrecognised SQLite datetime text');
  const [, year, month, day, hour, minute, second, fraction = ''] = match;
  // Dates carry milliseconds: Django's microseconds are cut, not rounded, so ordering holds.
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const time = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    millis,
  );
  return new Date(time);
}
