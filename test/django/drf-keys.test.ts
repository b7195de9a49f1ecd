import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type NodeEnv, ServerNode, tessera } from '../multi-node/node-process.js';
import { DjangoProject, type DjangoServer } from './django-project.js';
import { tesseraRowsText } from './django-schema.js';
import { buildTrigger } from './http.js';
import { BOUND_MS, msUntil } from './propagation.js';
import { SHARED_KINDS, sharedDatabase } from './shared-database.js';

const INVALID = '{"detail":"Invalid token."}';
const INACTIVE = '{"detail":"User inactive or deleted."}';

const answer = async (server: string, key: string) => {
  const { status, body } = await buildTrigger(server, key);
  return `${status} ${body}`;
};

for (const kind of SHARED_KINDS) {
  describe(`DRF's 40-hex keys, made by the Django app, on tessera (${kind})`, () => {
    let project: DjangoProject;
    let django: DjangoServer;
    let env: NodeEnv;
    const nodes: ServerNode[] = [];
    const keys: Record<string, string> = {};

    before(async () => {
      project = DjangoProject.create(await sharedDatabase(kind));
      project.makeUsers([
        { username: 'frank', password: 'frank: correct horse battery' },
        { username: 'grace', password: 'grace: correct horse battery' },
        { username: 'heidi', password: 'heidi: correct horse battery', is_active: false },
        // Their keys are made after the import, so only live mode can know them.
        { username: 'ivan', password: 'ivan: correct horse battery' },
        { username: 'judy', password: 'judy: correct horse battery' },
        { username: 'ken', password: 'ken: correct horse battery', is_active: false },
      ]);
      for (const username of ['frank', 'grace', 'heidi']) {
        keys[username] = project.drfCreateToken(username);
      }
      env = { DATABASE_URL: project.database.url };
      tessera(env, ['migrate']);
      django = await project.serve();
    });
    after(async () => {
      await Promise.all([...nodes.map((node) => node.stop()), django?.stop()]);
      await project?.cleanup();
    });

    test('tessera tokens import-drf: every DRF key works on tessera, stored only as a digest', async () => {
      // Every row Django made, the inactive user's too.
      assert.match(
        tessera(env, ['tokens', 'import-drf']),
        /^Imported 3 DRF token\(s\), skipped 0,/,
      );
      const node = await ServerNode.start(env);
      nodes.push(node);
      assert.equal(await answer(node.url, keys.frank as string), '200 ');
      assert.equal(await answer(node.url, keys.grace as string), '200 ');
      assert.equal(await answer(node.url, keys.heidi as string), `401 ${INACTIVE}`);
      assert.equal(await answer(node.url, 'f'.repeat(40)), `401 ${INVALID}`);
      // Django's own table is left as it was: its keys still work on Django.
      assert.equal((await buildTrigger(django.url, keys.frank as string)).status, 200);
      const stored = await tesseraRowsText(project.database);
      for (const [username, key] of Object.entries(keys)) {
        assert.ok(!stored.includes(key), `${username}'s plaintext DRF key is in tessera's tables`);
      }
    });

    test('a DRF key Django deletes or resets after the import: the next import-drf removes or replaces the copy, and a running tessera follows within 1 s', async (t) => {
      const [node] = nodes as [ServerNode];
      assert.equal(
        project.helper<{ deleted: number }>('delete-token', { username: 'frank' }).deleted,
        1,
      );
      const fresh = /^Generated token ([0-9a-f]{40}) /.exec(
        project.manage(['drf_create_token', '-r', 'grace']),
      )?.[1] as string;
      const report = tessera(env, ['tokens', 'import-drf']);
      const since = Date.now();
      assert.match(
        report,
        /^Imported 1 DRF token\(s\), skipped 1, removed 1\.\n {2}1 of the imported replaced/,
      );
      const took = await msUntil(since, 'the deleted and the replaced keys refused', async () => {
        const answers = [
          await answer(node.url, keys.frank as string),
          await answer(node.url, keys.grace as string),
        ];
        return answers.every((answer) => answer === `401 ${INVALID}`);
      });
      assert.ok(took <= BOUND_MS, `the old keys still worked ${took} ms after import-drf`);
      t.diagnostic(`old DRF keys refused ${Math.round(took)} ms after import-drf`);
      assert.equal(await answer(node.url, fresh), '200 ');
      assert.equal(await answer(django.url, fresh), '200 {"triggered_by":"grace"}');
      keys.grace = fresh;
    });

    test('TESSERA_DRF_TOKENS=read: a key Django makes works at once, one it deletes stops within 1 s', async (t) => {
      const node = await ServerNode.start({ ...env, TESSERA_DRF_TOKENS: 'read' });
      nodes.push(node);
      const key = project.drfCreateToken('ivan');
      // At once: the first request after Django made the key.
      assert.equal(await answer(node.url, key), '200 ');
      for (let round = 0; round < 3; round++) assert.equal(await answer(node.url, key), '200 ');
      const { deleted, saved_at } = project.helper<{ deleted: number; saved_at: number }>(
        'delete-token',
        { username: 'ivan' },
      );
      assert.equal(deleted, 1);
      const took = await msUntil(saved_at * 1000, 'the deleted DRF key refused', async () => {
        return (await answer(node.url, key)) === `401 ${INVALID}`;
      });
      assert.ok(took <= BOUND_MS, `the deleted key still worked ${took} ms after Django's delete`);
      t.diagnostic(`deleted DRF key refused ${Math.round(took)} ms after Django's delete`);
    });

    test("TESSERA_DRF_TOKENS=read: drf_create_token -r in Django swaps the key on tessera, an inactive user's is refused", async () => {
      const node = await ServerNode.start({ ...env, TESSERA_DRF_TOKENS: 'read' });
      nodes.push(node);
      const old = project.drfCreateToken('judy');
      assert.equal(await answer(node.url, old), '200 ');
      const fresh = /^Generated token ([0-9a-f]{40}) /.exec(
        project.manage(['drf_create_token', '-r', 'judy']),
      )?.[1] as string;
      // From the command's exit, just after Django committed the swap.
      const since = Date.now();
      assert.notEqual(fresh, old);
      assert.equal(await answer(node.url, fresh), '200 ');
      const took = await msUntil(since, 'the replaced DRF key refused', async () => {
        return (await answer(node.url, old)) === `401 ${INVALID}`;
      });
      assert.ok(took <= BOUND_MS, `the replaced key still worked ${took} ms later`);
      assert.equal(await answer(node.url, project.drfCreateToken('ken')), `401 ${INACTIVE}`);
    });
  });
}
