import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceUnavailable } from '../../../src/core/errors.js';
import { ConcurrencyLimit } from '../../../src/core/passwords/concurrency-limit.js';

/** A task the test finishes by hand, so no timer decides the order. */
function deferredTask(started: string[], name: string) {
  let finish: (value: string) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const task = () =>
    new Promise<string>((resolve, reject) => {
      started.push(name);
      finish = resolve;
      fail = reject;
    });
  return { task, finish: () => finish(name), fail: (error: Error) => fail(error) };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('ConcurrencyLimit', () => {
  test('runs at most maxActive tasks and starts the rest in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => deferredTask(started, name));
    const results = tasks.map((t) => limit.run(t.task));
    await settle();
    assert.deepEqual(started, ['a', 'b']);
    assert.equal(limit.active, 2);
    assert.equal(limit.waiting, 2);

    tasks[1]?.finish();
    await settle();
    assert.deepEqual(started, ['a', 'b', 'c']);
    assert.equal(limit.active, 2);
    assert.equal(limit.waiting, 1);

    tasks[0]?.finish();
    tasks[2]?.finish();
    await settle();
    tasks[3]?.finish();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
    assert.equal(limit.active, 0);
    assert.equal(limit.waiting, 0);
  });

  test('frees the slot when a task fails', async () => {
    const limit = new ConcurrencyLimit(1);
    const started: string[] = [];
    const first = deferredTask(started, 'first');
    const second = deferredTask(started, 'second');
    const failing = limit.run(first.task);
    const next = limit.run(second.task);
    await settle();
    first.fail(new Error('boom'));
    await assert.rejects(failing, /boom/);
    await settle();
    assert.deepEqual(started, ['first', 'second']);
    second.finish();
    assert.equal(await next, 'second');
    assert.equal(limit.active, 0);
  });

  test('frees the slot when a task throws before returning a promise', async () => {
    const limit = new ConcurrencyLimit(1);
    await assert.rejects(
      limit.run(() => {
        throw new Error('sync');
      }),
      /sync/,
    );
    assert.equal(await limit.run(async () => 'after'), 'after');
    assert.equal(limit.active, 0);
  });

  test('refuses a bound that is not a positive integer', () => {
    assert.throws(() => new ConcurrencyLimit(0), RangeError);
    assert.throws(() => new ConcurrencyLimit(1.5), RangeError);
  });
});

describe('ConcurrencyLimit: a bounded queue', () => {
  test('beyond maxWaiting a task is refused at once with 503, and never runs', async () => {
    const limit = new ConcurrencyLimit(1, 2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => deferredTask(started, name));
    const results = tasks.slice(0, 3).map((t) => limit.run(t.task));
    await settle();
    assert.equal(limit.active, 1);
    assert.equal(limit.waiting, 2);
    assert.equal(limit.saturated, true);
    // Rejected before the next tick: no slot had to free up to decide.
    let refused: unknown;
    limit.run((tasks[3] as (typeof tasks)[number]).task).catch((error: unknown) => {
      refused = error;
    });
    await Promise.resolve();
    await Promise.resolve();
    assert.ok(refused instanceof ServiceUnavailable);
    assert.equal(refused.status, 503);
    assert.equal(refused.detail, 'Service temporarily unavailable.');
    for (const t of tasks.slice(0, 3)) {
      t.finish();
      await settle();
    }
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c']);
    assert.deepEqual(started, ['a', 'b', 'c']);
    assert.equal(limit.saturated, false);
    // Once the queue has room again, work is accepted.
    assert.equal(await limit.run(async () => 'later'), 'later');
  });

  test('maxWaiting 0 runs only what fits in the active slots', async () => {
    const limit = new ConcurrencyLimit(2, 0);
    const started: string[] = [];
    const [a, b] = [deferredTask(started, 'a'), deferredTask(started, 'b')];
    const running = [limit.run(a.task), limit.run(b.task)];
    await assert.rejects(
      limit.run(async () => 'c'),
      ServiceUnavailable,
    );
    a.finish();
    b.finish();
    assert.deepEqual(await Promise.all(running), ['a', 'b']);
  });

  test('refuses a queue bound that is not a non-negative integer', () => {
    assert.throws(() => new ConcurrencyLimit(1, -1), RangeError);
    assert.throws(() => new ConcurrencyLimit(1, 0.5), RangeError);
  });
});
