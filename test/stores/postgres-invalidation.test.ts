import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Invalidation, InvalidationSubscriber } from '../../src/core/invalidation.js';
import type { Store } from '../../src/core/store.js';
import { newToken } from '../../src/core/tokens/token-issuer.js';
import { openStore } from '../../src/stores/open-store.js';
import { FreshDatabases } from './fresh-database.js';

const clock = { now: () => Date.now() };

/** Records what a subscriber hears, and waits for a condition with a deadline. */
class Recorder implements InvalidationSubscriber {
  readonly heard: Invalidation[] = [];
  readonly states: boolean[] = [];

  invalidate(invalidation: Invalidation): void {
    this.heard.push(invalidation);
  }

  setChannelUp(up: boolean): void {
    this.states.push(up);
  }

  get up(): boolean {
    return this.states.at(-1) === true;
  }

  async until(condition: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
    const end = Date.now() + deadlineMs;
    while (!condition()) {
      if (Date.now() > end)
        assert.fail(`timed out waiting for ${what}; heard ${JSON.stringify(this.heard)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe('PostgreSQL invalidations: NOTIFY in the revoking transaction, LISTEN on each node', () => {
  const databases = new FreshDatabases('postgres');
  let nodeA: Store;
  let nodeB: Store;
  let url: string;

  before(async () => {
    url = (await databases.create({ migrated: true })).url;
    nodeA = await openStore(url);
    nodeB = await openStore(url);
  });
  after(async () => {
    await nodeA.close();
    await nodeB.close();
    await databases.dropAll();
  });

  test('a revocation on one node reaches a subscriber of another; local ones arrive at once', async () => {
    const remote = new Recorder();
    const local = new Recorder();
    const stopRemote = nodeB.subscribeInvalidations(remote);
    const stopLocal = nodeA.subscribeInvalidations(local);
    await remote.until(() => remote.up, 'the LISTEN connection');
    const user = await nodeA.createUser({ username: 'ann', password: '!', dateJoined: new Date() });
    const token = await nodeA.createToken(
      newToken({ userId: user.id, kind: 'named', name: 'ci', clock }).row,
    );
    assert.equal(await nodeA.deleteToken(token.id), true);
    assert.deepEqual(
      local.heard.at(-1),
      { tokenId: token.id },
      'the local subscriber hears at commit',
    );
    await remote.until(
      () => remote.heard.some((i) => 'tokenId' in i && i.tokenId === token.id),
      'the NOTIFY',
    );
    await nodeA.updateUser(user.id, { isActive: false });
    await remote.until(
      () => remote.heard.some((i) => 'userId' in i && i.userId === user.id),
      'the user NOTIFY',
    );
    stopRemote();
    stopLocal();
  });

  test('a rolled-back change notifies nobody', async () => {
    const remote = new Recorder();
    const stop = nodeB.subscribeInvalidations(remote);
    await remote.until(() => remote.up, 'the LISTEN connection');
    const user = await nodeA.createUser({ username: 'bob', password: '!', dateJoined: new Date() });
    const token = await nodeA.createToken(
      newToken({ userId: user.id, kind: 'named', name: 'x', clock }).row,
    );
    const otherRow = newToken({ userId: user.id, kind: 'named', name: 'y', clock }).row;
    const other = await nodeA.createToken(otherRow);
    // Rotating to a digest another token has fails inside its transaction, so it rolls back.
    await assert.rejects(nodeA.rotateToken(token.id, otherRow.digest, 'tsr_bbbb'));
    await nodeA.deleteToken(other.id);
    await remote.until(
      () => remote.heard.some((i) => 'tokenId' in i && i.tokenId === other.id),
      'the later NOTIFY',
    );
    assert.ok(
      !remote.heard.some((i) => 'tokenId' in i && i.tokenId === token.id),
      'the failed rotation notified',
    );
    stop();
  });

  test('a LISTEN connection killed by the server reports down, then reconnects and reports up', async () => {
    const remote = new Recorder();
    const stop = nodeB.subscribeInvalidations(remote);
    await remote.until(() => remote.up, 'the LISTEN connection');
    // Only states reported after the kill count: the first report, before LISTEN ran, is down.
    const killedAt = remote.states.length;
    await databases.admin([
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tessera-listen' AND datname = '${new URL(url).pathname.slice(1)}'`,
    ]);
    const sinceKill = () => remote.states.slice(killedAt);
    await remote.until(() => sinceKill().includes(false) && remote.up, 'down then up again');
    const downAt = sinceKill().lastIndexOf(false);
    assert.ok(downAt >= 0 && sinceKill().slice(downAt).includes(true));
    stop();
  });
});
