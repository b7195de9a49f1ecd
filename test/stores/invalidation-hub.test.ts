import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Invalidation, InvalidationNotPublished } from '../../src/core/invalidation.js';
import type { InvalidationChannel } from '../../src/core/invalidation-channel.js';
import { InvalidationHub } from '../../src/stores/sql/invalidation-hub.js';

/** A channel whose after-commit sends settle when the test says so. */
function manualChannel(failures: InvalidationNotPublished[]) {
  const sends: { invalidations: readonly Invalidation[]; finish: (error?: Error) => void }[] = [];
  const events: string[] = [];
  const channel: InvalidationChannel = {
    name: 'Manual',
    onNotPublished: (failure) => failures.push(failure),
    afterCommit: (invalidations) =>
      new Promise<void>((resolve, reject) => {
        sends.push({
          invalidations,
          finish: (error) => {
            events.push(error ? 'failed' : 'sent');
            if (error) reject(error);
            else resolve();
          },
        });
      }),
    listen: () => () => {},
    close: async () => {
      events.push('closed');
    },
  };
  return { channel, sends, events };
}

describe('InvalidationHub', () => {
  it('closes its channels only after the sends still on their way', async () => {
    const failures: InvalidationNotPublished[] = [];
    const { channel, sends, events } = manualChannel(failures);
    const hub = new InvalidationHub(() => {}, 10_000);
    hub.addChannel(channel);
    hub.committed([{ tokenId: 7 }]);
    const closing = hub.close();
    await new Promise((done) => setImmediate(done));
    assert.deepEqual(events, []);
    sends[0]?.finish();
    await closing;
    assert.deepEqual(events, ['sent', 'closed']);
    assert.deepEqual(failures, []);
  });

  it('reports a failed send with the channel, what it carried and why', async () => {
    const failures: InvalidationNotPublished[] = [];
    const { channel, sends } = manualChannel(failures);
    const hub = new InvalidationHub();
    hub.addChannel(channel);
    hub.committed([{ userId: 3 }]);
    sends[0]?.finish(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    await hub.close();
    assert.equal(failures.length, 1);
    assert.deepEqual(failures[0]?.invalidations, [{ userId: 3 }]);
    assert.equal(
      failures[0]?.message,
      'the change is saved, but Manual did not carry its invalidation (user id 3) to other nodes ' +
        '(connect ECONNREFUSED 127.0.0.1:6379): their token caches will serve the affected keys ' +
        'until the cache TTL (TESSERA_TOKEN_CACHE_TTL) ends.',
    );
  });

  it('gives up on a send that outlasts the drain timeout, reports it once, and closes', async () => {
    const failures: InvalidationNotPublished[] = [];
    const { channel, sends, events } = manualChannel(failures);
    const hub = new InvalidationHub(() => {}, 20);
    hub.addChannel(channel);
    hub.committed([{ tokenId: 1 }, { all: true }]);
    await hub.close();
    assert.deepEqual(events, ['closed']);
    assert.equal(failures.length, 1);
    assert.match(
      failures[0]?.message ?? '',
      /\(token 1, every token\) to other nodes \(not sent within 20 ms\)/,
    );
    sends[0]?.finish(new Error('Connection is closed.'));
    await new Promise((done) => setImmediate(done));
    assert.equal(failures.length, 1);
  });
});
