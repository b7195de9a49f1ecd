import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type NodeEnv, ServerNode, tessera } from '../multi-node/node-process.js';
import { DjangoProject } from './django-project.js';
import { buildTrigger, obtainToken } from './http.js';
import { BOUND_MS, msUntil } from './propagation.js';
import { SHARED_KINDS, sharedDatabase } from './shared-database.js';

const KEY_LINE = /^Generated token (tsr_[0-9A-Za-z]{38}) for user /;
const UNABLE = '{"non_field_errors":["Unable to log in with provided credentials."]}';
const INACTIVE = '{"detail":"User inactive or deleted."}';

for (const kind of SHARED_KINDS) {
  describe(`changes a Django app saves reach a running tessera serve (${kind})`, () => {
    let project: DjangoProject;
    let env: NodeEnv;
    let node: ServerNode;

    before(async () => {
      project = DjangoProject.create(await sharedDatabase(kind));
      project.makeUsers([
        { username: 'dave', password: 'dave: old pale blue teapot' },
        { username: 'erin', password: 'erin: correct horse battery staple' },
      ]);
      env = { DATABASE_URL: project.database.url };
      tessera(env, ['migrate']);
      // As shipped: the token cache on by default.
      node = await ServerNode.start(env);
    });
    after(async () => {
      await node?.stop();
      await project?.cleanup();
    });

    test('a password changed in Django: the old one fails on tessera, the new one works', async () => {
      const login = await obtainToken(node.url, 'dave', 'dave: old pale blue teapot');
      assert.equal(login.status, 200, login.body);
      project.helper('set-password', {
        username: 'dave',
        password: 'dave: new green kettle comet',
      });
      // Logins read the user from the database each time: the first one after the save sees it.
      const old = await obtainToken(node.url, 'dave', 'dave: old pale blue teapot');
      assert.equal(`${old.status} ${old.body}`, `400 ${UNABLE}`);
      const fresh = await obtainToken(node.url, 'dave', 'dave: new green kettle comet');
      assert.equal(fresh.status, 200, fresh.body);
    });

    test("a user Django deactivates: the user's tessera key is refused within 1 s", async (t) => {
      const key = KEY_LINE.exec(tessera(env, ['drf_create_token', 'erin']))?.[1] ?? '';
      // Served a few times first, so the token cache holds it when Django saves.
      for (let round = 0; round < 3; round++) {
        const served = await buildTrigger(node.url, key);
        assert.equal(served.status, 200, served.body);
      }
      const { saved_at } = project.helper<{ saved_at: number }>('set-active', {
        username: 'erin',
        active: false,
      });
      const took = await msUntil(saved_at * 1000, 'the key refused', async () => {
        const answer = await buildTrigger(node.url, key);
        return answer.status === 401 && answer.body === INACTIVE;
      });
      assert.ok(took <= BOUND_MS, `the key still worked ${took} ms after Django's save`);
      t.diagnostic(`key refused ${Math.round(took)} ms after Django saved is_active=False`);

      project.helper('set-active', { username: 'erin', active: true });
      const again = await msUntil(Date.now(), 'the key served again', async () => {
        return (await buildTrigger(node.url, key)).status === 200;
      });
      assert.ok(again <= BOUND_MS, `reactivated, the key was refused for ${again} ms`);
    });
  });
}
