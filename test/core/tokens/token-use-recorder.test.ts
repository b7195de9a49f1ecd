import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenUse } from '../../../src/core/store.js';
import { ManualClock } from '../../../src/core/time/clock.js';
import type { Token } from '../../../src/core/tokens/token.js';
import { TokenUseRecorder } from '../../../src/core/tokens/token-use-recorder.js';

const MINUTE = 60_000;

function token(id: number, extra: Partial<Token> = {}): Token {
  return {
    id,
    userId: 1,
    kind: 'named',
    name: `t${id}`,
    preview: 'tsr_abcd',
    scopes: ['*'],
    created: new Date(0),
    expires: null,
    lastUsed: null,
    slidingSeconds: null,
    maxExpires: null,
    ...extra,
  };
}

function recorder(trackLastUsed = true) {
  const clock = new ManualClock(10 * MINUTE);
  const batches: TokenUse[][] = [];
  let fail = false;
  const errors: unknown[] = [];
  const instance = new TokenUseRecorder({
    clock,
    trackLastUsed,
    store: {
      recordTokenUses: async (uses) => {
        if (fail) throw new Error('disk full');
        batches.push([...uses]);
      },
    },
    onError: (error) => errors.push(error),
  });
  return { clock, batches, errors, instance, failNext: (value: boolean) => (fail = value) };
}

test('many uses of one token within a minute make one write', async () => {
  const { clock, batches, instance } = recorder();
  for (let i = 0; i < 100; i++) instance.noteUse(token(1), clock.now() + i);
  instance.noteUse(token(2), clock.now());
  await instance.flush();
  assert.deepEqual(batches, [
    [
      { id: 1, lastUsed: new Date(clock.now()) },
      { id: 2, lastUsed: new Date(clock.now()) },
    ],
  ]);
  instance.noteUse(token(1), clock.now() + MINUTE - 1);
  await instance.flush();
  assert.equal(batches.length, 1);
  instance.noteUse(token(1), clock.now() + MINUTE);
  await instance.flush();
  assert.equal(batches.length, 2);
});

test('a row that shows a recent last use is not written again', async () => {
  const { clock, batches, instance } = recorder();
  instance.noteUse(token(1, { lastUsed: new Date(clock.now() - 30_000) }), clock.now());
  await instance.flush();
  assert.deepEqual(batches, []);
});

test('sliding: the expiry moves by the lifetime, capped at the maximum, in steps of a minute', async () => {
  const { clock, batches, instance } = recorder(false);
  const sliding = token(1, {
    expires: new Date(clock.now() + 10 * MINUTE),
    slidingSeconds: 600,
    maxExpires: new Date(clock.now() + 15 * MINUTE),
  });
  instance.noteUse(sliding, clock.now() + 30_000);
  await instance.flush();
  assert.deepEqual(batches, [], 'moved by less than a minute');
  instance.noteUse(sliding, clock.now() + 2 * MINUTE);
  instance.noteUse(sliding, clock.now() + 2 * MINUTE + 1000);
  await instance.flush();
  assert.deepEqual(batches, [[{ id: 1, expires: new Date(clock.now() + 12 * MINUTE) }]]);
  instance.noteUse(sliding, clock.now() + 9 * MINUTE);
  await instance.flush();
  assert.deepEqual(batches[1], [{ id: 1, expires: new Date(clock.now() + 15 * MINUTE) }]);
});

test('a failed batch is reported, and the next use of its tokens tries again', async () => {
  const { clock, batches, errors, instance, failNext } = recorder();
  failNext(true);
  instance.noteUse(token(1), clock.now());
  await instance.flush();
  assert.equal(errors.length, 1);
  failNext(false);
  instance.noteUse(token(1), clock.now() + 1);
  await instance.flush();
  assert.deepEqual(batches, [[{ id: 1, lastUsed: new Date(clock.now() + 1) }]]);
});

test('close writes what is pending; the timer writes on its own', async () => {
  const { clock, batches, instance } = recorder();
  instance.noteUse(token(1), clock.now());
  await instance.close();
  assert.equal(batches.length, 1);
  const timed = new TokenUseRecorder({
    clock,
    trackLastUsed: true,
    flushIntervalMs: 1,
    store: { recordTokenUses: async (uses) => void batches.push([...uses]) },
  });
  timed.noteUse(token(5), clock.now());
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(batches[1], [{ id: 5, lastUsed: new Date(clock.now()) }]);
});
