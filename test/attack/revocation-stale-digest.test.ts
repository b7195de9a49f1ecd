import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type NodeEnv, ServerNode, tessera, within } from '../multi-node/node-process.js';
import { loopbackAddress, requestFrom } from './support/loopback-client.js';

const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user /;

/**
 * Finding 8: one server with a token cache on SQLite. The server caches a key, the CLI rotates
 * that token (the change log carries it to the server within a second), the server caches the
 * new key, then the token is deleted through the server's own API: both keys must be refused at
 * once, since the server made the deletion itself.
 */
describe('a token cached under its old and its new key, deleted through the server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-stale-digest-'));
  const env: NodeEnv = {
    DATABASE_URL: `sqlite:${join(dir, 'tessera.sqlite3')}`,
  };
  let node: ServerNode;
  let adminKey = '';
  let peer = randomInt(0, 50_000);

  before(async () => {
    tessera(env, ['migrate']);
    tessera(env, ['users', 'add', 'alice']);
    adminKey = KEY_LINE.exec(tessera(env, ['drf_create_token', 'alice']))?.[1] ?? '';
    node = await ServerNode.start(env);
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One request from its own loopback address (failed keys are counted per address). */
  function send(method: string, path: string, key: string) {
    return requestFrom(loopbackAddress(peer++ % 60_000), {
      url: new URL(path, node.url).href,
      method,
      headers: { Authorization: `Token ${key}` },
    });
  }

  it('refuses the old key and the new one once the server deletes the token', async () => {
    const created = await node.post('/api/tokens/', adminKey, { name: 'laptop' });
    assert.equal(created.status, 201, created.body);
    const { id, key: oldKey } = JSON.parse(created.body) as { id: number; key: string };
    for (let i = 0; i < 3; i++) {
      assert.equal((await send('POST', '/api/build-trigger/', oldKey)).status, 200);
    }

    const newKey = KEY_LINE.exec(tessera(env, ['tokens', 'rotate', String(id)]))?.[1] ?? '';
    assert.notEqual(newKey, '');
    // The change log carries the CLI's rotation to this server's cache within a second.
    await within(1000, 'the old key refused', async () => {
      return (await send('POST', '/api/build-trigger/', oldKey)).status === 401;
    });
    for (let i = 0; i < 3; i++) {
      assert.equal((await send('POST', '/api/build-trigger/', newKey)).status, 200);
    }

    const deleted = await send('DELETE', `/api/tokens/${id}/`, adminKey);
    assert.equal(deleted.status, 204, deleted.body);
    for (const key of [oldKey, newKey]) {
      const answer = await send('POST', '/api/build-trigger/', key);
      assert.deepEqual([answer.status, answer.body], [401, '{"detail":"Invalid token."}']);
    }
  });
});
