import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UNREADABLE_DATE_TIME } from '../../../src/core/time/unreadable-date.js';
import {
  decodeSqliteDateTime,
  encodeSqliteDateTime,
} from '../../../src/stores/sqlite/sqlite-datetime.js';

describe('encodeSqliteDateTime', () => {
  test('writes naive UTC text with microseconds, as Django does', () => {
    const date = new Date(Date.UTC(2026, 10, 27, 19, 52, 36, 480));
    assert.equal(encodeSqliteDateTime(date), '2026-11-27 19:52:36.480000');
  });

  test('leaves the fraction out when it is zero, as Python’s str(datetime) does', () => {
    assert.equal(encodeSqliteDateTime(new Date(Date.UTC(2026, 0, 1))), '2026-01-01 00:00:00');
  });

  test('text order is time order, with and without a fraction', () => {
    const times = [0, 1, 999, 1000, 1001, 60_000].map((ms) => Date.UTC(2026, 0, 1) + ms);
    const texts = times.map((time) => encodeSqliteDateTime(new Date(time)));
    assert.deepEqual([...texts].sort(), texts);
  });
});

describe('decodeSqliteDateTime', () => {
  test('reads Django’s text with and without microseconds as UTC', () => {
    assert.equal(decodeSqliteDateTime('2026-01-01 00:00:00').getTime(), Date.UTC(2026, 0, 1));
    assert.equal(
      decodeSqliteDateTime('2026-11-27 19:52:36.480999').getTime(),
      Date.UTC(2026, 10, 27, 19, 52, 36, 480),
    );
    assert.equal(
      decodeSqliteDateTime('2026-11-27 19:52:36.5').getTime(),
      Date.UTC(2026, 10, 27, 19, 52, 36, 500),
    );
  });

  test('round-trips every millisecond it is given', () => {
    for (const time of [0, 1, 999, Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(9999, 0, 1)]) {
      assert.equal(decodeSqliteDateTime(encodeSqliteDateTime(new Date(time))).getTime(), time);
    }
  });

  test('reads text that is not Django’s format as the unreadable date, never throwing', () => {
    for (const text of [
      '',
      '2026-01-01',
      '2026-01-01T00:00:00Z',
      '2026-01-01 00:00:00.1234567',
      '+21204-01-01 00:00:00',
      '2026-0x-01 00:00:00',
      '2026-01-01 00:00:00.12a',
    ]) {
      assert.equal(decodeSqliteDateTime(text).getTime(), UNREADABLE_DATE_TIME, text);
    }
    // A number where text belongs (SQLite keeps any type in any column).
    const number = 42 as unknown as string;
    assert.equal(decodeSqliteDateTime(number).getTime(), UNREADABLE_DATE_TIME);
  });

  test('refuses to write a date its text cannot hold (beyond year 9999)', () => {
    assert.throws(() => encodeSqliteDateTime(new Date(Date.UTC(10000, 0, 1))), RangeError);
  });
});
