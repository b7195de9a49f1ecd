import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { PasswordHasher } from '../../src/core/passwords/index.js';
import { systemClock } from '../../src/core/time/clock.js';
import { issueDefaultToken } from '../../src/core/tokens/token-issuer.js';
import { createUser } from '../../src/core/users/users.js';
import { openSqliteStore } from '../../src/stores/sqlite/index.js';
import { drfAuthorizationModel } from '../core/auth/drf-authorization-model.js';
import { ServerNode } from '../multi-node/node-process.js';
import { loopbackAddress, requestFrom } from './support/loopback-client.js';

const NOT_PROVIDED = '{"detail":"Authentication credentials were not provided."}';
const INVALID_TOKEN = '{"detail":"Invalid token."}';

/** One `Authorization` line an attacker might add, given the two users' valid keys. */
type Line = (keys: { alice: string; bob: string }) => string;

const LINES: readonly Line[] = [
  ({ alice }) => `Token ${alice}`,
  ({ bob }) => `Token ${bob}`,
  ({ alice }) => `token   ${alice}`,
  ({ alice }) => alice,
  ({ alice }) => `Bearer ${alice}`,
  () => 'Token',
  () => 'garbage',
  () => '',
  () => 'Token tsr_not-a-key',
];

/** DRF behind gunicorn on the lines joined with ',': the status and body it would send. */
function drfAnswer(lines: readonly string[], valid: ReadonlySet<string>) {
  const outcome = drfAuthorizationModel(lines.join(','), ['Token']);
  if (outcome.kind === 'none') return { status: 401, body: NOT_PROVIDED };
  if (outcome.kind === 'error') {
    return { status: 401, body: JSON.stringify({ detail: outcome.message }) };
  }
  return valid.has(outcome.key) ? { status: 200, body: '' } : { status: 401, body: INVALID_TOKEN };
}

describe('attack: repeated Authorization lines against `tessera serve`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-wire-'));
  let server: ServerNode;
  const keys = { alice: '', bob: '' };

  before(async () => {
    const file = join(dir, 'db.sqlite3');
    const store = openSqliteStore({ filename: file });
    await store.migrate();
    const passwords = new PasswordHasher({ iterations: 1000 });
    for (const username of ['alice', 'bob'] as const) {
      const user = await createUser(store, passwords, systemClock, { username });
      keys[username] = (await issueDefaultToken(store, user.id, systemClock)).key;
    }
    await store.close();
    server = await ServerNode.start({ DATABASE_URL: `sqlite:${file}` });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('any 1–4 lines get what DRF gives their ","-join; two or more lines are never let in', async () => {
    const valid = new Set([keys.alice, keys.bob]);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...LINES), { minLength: 1, maxLength: 4 }),
        async (chosen) => {
          const lines = chosen.map((line) => line(keys));
          // A fresh peer each run: the key-guess limit (60 failures a minute) stays out of it.
          const response = await requestFrom(loopbackAddress(run++), {
            url: `${server.url}/api/build-trigger/`,
            method: 'POST',
            headers: { Authorization: lines },
          });
          assert.deepEqual(
            { status: response.status, body: response.body },
            drfAnswer(lines, valid),
            JSON.stringify(lines),
          );
          if (lines.length > 1) assert.notEqual(response.status, 200);
        },
      ),
      { numRuns: 60 },
    );
  });
});
