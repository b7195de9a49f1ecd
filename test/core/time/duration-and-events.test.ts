import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TesseraEvents } from '../../../src/core/events.js';
import {
  checkDurationSeconds,
  DURATION_TOO_LONG,
  INVALID_DURATION,
  MAX_DURATION_SECONDS,
  parseDuration,
  readDuration,
} from '../../../src/core/time/duration.js';
import { HasScope } from '../../../src/core/tokens/scopes.js';

test('durations: an integer and one unit of s, m, h, d, w', () => {
  assert.equal(parseDuration('45s'), 45);
  assert.equal(parseDuration('30m'), 1800);
  assert.equal(parseDuration('12h'), 43_200);
  assert.equal(parseDuration('30d'), 2_592_000);
  assert.equal(parseDuration('2w'), 1_209_600);
  for (const bad of ['', '0d', '30', 'd', '1.5h', '30D', ' 30d', '30d ', '1y', '-1d', '01d']) {
    assert.equal(parseDuration(bad), null, bad);
  }
});

test('durations are bounded at 18250d: every date they add to now stays storable', () => {
  assert.equal(MAX_DURATION_SECONDS, 18_250 * 86_400);
  assert.deepEqual(readDuration('18250d'), { seconds: MAX_DURATION_SECONDS });
  assert.deepEqual(readDuration('2607w'), { seconds: 2607 * 604_800 });
  for (const tooLong of ['18251d', '2608w', '438001h', '9999999w', '999999999w']) {
    assert.deepEqual(readDuration(tooLong), { error: DURATION_TOO_LONG }, tooLong);
  }
  assert.deepEqual(readDuration('30 days'), { error: INVALID_DURATION });
  // Library callers pass seconds: the same bound, and only whole positive numbers.
  assert.deepEqual(checkDurationSeconds(MAX_DURATION_SECONDS), { seconds: MAX_DURATION_SECONDS });
  assert.deepEqual(checkDurationSeconds(MAX_DURATION_SECONDS + 1), { error: DURATION_TOO_LONG });
  for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e300]) {
    assert.ok('error' in checkDurationSeconds(bad), String(bad));
  }
  // The sliding lifetime is stored in a 32-bit integer column on PostgreSQL and MySQL.
  assert.ok(MAX_DURATION_SECONDS < 2 ** 31 - 1);
  // A token made any day up to 9949-12-31 with the longest duration expires within 9999.
  assert.ok(Date.UTC(9949, 11, 31) + MAX_DURATION_SECONDS * 1000 < Date.UTC(10000, 0, 1));
});

test('events: listeners get payloads; one that throws is reported and the rest still run', () => {
  const errors: unknown[] = [];
  const events = new TesseraEvents((error) => errors.push(error));
  const seen: number[] = [];
  events.on('token_rotated', () => {
    throw new Error('listener bug');
  });
  const off = events.on('token_rotated', (event) => seen.push(event.tokenId));
  events.emit('token_rotated', { tokenId: 7, userId: 1 });
  off();
  events.emit('token_rotated', { tokenId: 8, userId: 1 });
  assert.deepEqual(seen, [7]);
  assert.equal(errors.length, 2);
});

test('HasScope refuses to be built with no scope, `*` or an invalid one', () => {
  assert.throws(() => HasScope());
  assert.throws(() => HasScope('*'));
  assert.throws(() => HasScope('with space'));
  assert.equal(HasScope('a:b').code, 'insufficient_scope');
});
