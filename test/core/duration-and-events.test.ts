import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/core/duration.js';
import { TesseraEvents } from '../../src/core/events.js';
import { HasScope } from '../../src/core/scopes.js';

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
