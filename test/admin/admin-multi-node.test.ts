import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type NodeEnv, ServerNode, tessera, within } from '../multi-node/node-process.js';
import { AdminClient, newKeyOn } from './admin-client.js';
import { freshDatabase, type Kind } from './node-database.js';

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
// docs/admin.md: a change made in the page reaches other nodes' caches like any other revocation,
// and docs/many-nodes.md bounds that at a second.
const PROPAGATION_BOUND_MS = 1000;
const INVALID = '{"detail":"Invalid token."}';
const INACTIVE = '{"detail":"User inactive or deleted."}';
const STAFF_PASSWORD = 'correct horse battery 17';

/** The hidden `id` of the form whose button is labelled `label` on an admin page. */
function formId(page: string, label: string): string {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(
    `name="id" value="(\\d+)"><button type="submit"[^>]*aria-label="${escaped}"`,
  ).exec(page);
  if (!match?.[1]) throw new Error(`no form labelled "${label}" on the page`);
  return match[1];
}

/**
 * Two `tessera serve` processes on one database, as shipped (token cache on). A staff member
 * signs in on node A's admin page over HTTP and posts its forms as a browser would (session
 * cookie, CSRF token, Origin); node B, which has just served the key from its cache, refuses it
 * within a second.
 */
function scenario(kind: Kind, name: string, extraEnv: NodeEnv) {
  describe(`admin page on two nodes, one ${kind} database: ${name}`, () => {
    let drop: () => Promise<void> = async () => {};
    let nodeA: ServerNode;
    let nodeB: ServerNode;
    let staff: AdminClient;
    let env: NodeEnv;

    before(async () => {
      const database = await freshDatabase(kind);
      drop = database.drop;
      env = { DATABASE_URL: database.url, ...extraEnv };
      tessera(env, ['migrate']);
      tessera(env, ['users', 'add', 'staff', '--staff', '--password-stdin'], `${STAFF_PASSWORD}\n`);
      tessera(env, ['users', 'add', 'alice']);
      [nodeA, nodeB] = await Promise.all([ServerNode.start(env), ServerNode.start(env)]);
      staff = new AdminClient(`${nodeA.url}/`);
      const signedIn = await staff.signIn('staff', STAFF_PASSWORD);
      assert.equal(signedIn.status, 303, signedIn.text);
    });
    after(async () => {
      await Promise.all([nodeA?.stop(), nodeB?.stop()]);
      await drop();
    });

    /** Creates a token for alice through node A's create form; returns its id and key. */
    async function created(tokenName: string): Promise<{ id: string; key: string }> {
      const form = await staff.request('/admin/');
      const posted = await staff.request('/admin/create/', {
        form: {
          csrfmiddlewaretoken: AdminClient.csrf(form.text),
          username: 'alice',
          name: tokenName,
          scopes: '',
          expires_in: '',
        },
      });
      assert.equal(posted.status, 303, posted.text);
      const page = await staff.request('/admin/');
      const key = newKeyOn(page.text);
      assert.ok(key, 'the new key is shown once');
      return { id: formId(page.text, `Rotate ${tokenName} of alice`), key };
    }

    /** Uses the key on node B until its cache holds it (three 200s in a row). */
    async function cachedOnB(key: string): Promise<void> {
      for (let round = 0; round < 3; round++) {
        const answer = await nodeB.post('/api/build-trigger/', key);
        assert.equal(answer.status, 200, answer.body);
      }
    }

    async function refusedOnB(key: string, detail: string): Promise<number> {
      const took = await within(PROPAGATION_BOUND_MS, 'node B refusing the key', async () => {
        const answer = await nodeB.post('/api/build-trigger/', key);
        return answer.status === 401 && answer.body === detail;
      });
      assert.ok(took <= PROPAGATION_BOUND_MS, `took ${took} ms`);
      return took;
    }

    async function post(path: string, id: string): Promise<void> {
      const page = await staff.request(
        path === '/admin/revoke/' || path === '/admin/rotate/' ? '/admin/' : '/admin/users/',
      );
      const answer = await staff.request(path, {
        form: { csrfmiddlewaretoken: AdminClient.csrf(page.text), id },
      });
      assert.equal(answer.status, 303, answer.text);
    }

    test("a key node B has cached, revoked in node A's page, is refused on B within 1 s", async (t) => {
      const { id, key } = await created('ci');
      await cachedOnB(key);
      await post('/admin/revoke/', id);
      t.diagnostic(`refused on node B after ${await refusedOnB(key, INVALID)} ms`);
    });

    test("a key rotated in node A's page stops on B within 1 s; the new key works on B", async (t) => {
      const { id, key } = await created('rotating');
      await cachedOnB(key);
      await post('/admin/rotate/', id);
      t.diagnostic(`refused on node B after ${await refusedOnB(key, INVALID)} ms`);
      const page = await staff.request('/admin/');
      const rotated = newKeyOn(page.text);
      assert.ok(rotated && rotated !== key);
      assert.equal((await nodeB.post('/api/build-trigger/', rotated)).status, 200);
    });

    test("a user deactivated in node A's page is refused on B within 1 s, and works again once activated", async (t) => {
      const { key } = await created('deploy');
      await cachedOnB(key);
      const users = await staff.request('/admin/users/');
      const aliceId = formId(users.text, 'Deactivate alice');
      await post('/admin/deactivate/', aliceId);
      t.diagnostic(`refused on node B after ${await refusedOnB(key, INACTIVE)} ms`);
      await post('/admin/activate/', aliceId);
      const took = await within(PROPAGATION_BOUND_MS, 'node B serving the key again', async () => {
        return (await nodeB.post('/api/build-trigger/', key)).status === 200;
      });
      assert.ok(took <= PROPAGATION_BOUND_MS, `took ${took} ms`);
    });

    test('a session signed in on node A works on node B; signing out on A ends it on B', async () => {
      const onA = new AdminClient(`${nodeA.url}/`);
      assert.equal((await onA.signIn('staff', STAFF_PASSWORD)).status, 303);
      const onB = new AdminClient(`${nodeB.url}/`);
      onB.cookies.set('tessera_admin_session', onA.cookies.get('tessera_admin_session') ?? '');
      const page = await onB.request('/admin/');
      assert.equal(page.status, 200);
      assert.match(page.text, /<button type="submit">Create token<\/button>/);
      // B signs its forms with the same secret key: a post B's page made is accepted on B.
      const search = await onB.request('/admin/users/');
      assert.equal(search.status, 200);
      assert.match(search.text, /aria-label="Deactivate alice"/);

      const signOut = await onA.request('/admin/sign-out/', {
        form: { csrfmiddlewaretoken: AdminClient.csrf(page.text) },
      });
      assert.equal(signOut.status, 303);
      const after = await onB.request('/admin/');
      assert.equal(after.status, 200);
      assert.match(after.text, /<button type="submit">Sign in<\/button>/);
      assert.doesNotMatch(after.text, /Create token/);
      const forged = await onB.request('/admin/revoke/', {
        form: { csrfmiddlewaretoken: AdminClient.csrf(page.text), id: '1' },
      });
      assert.equal(forged.status, 403);
    });

    // Last: it changes the staff member's password, which ends every session of theirs.
    test('a password changed by another process ends the session on both nodes', async () => {
      const onA = new AdminClient(`${nodeA.url}/`);
      assert.equal((await onA.signIn('staff', STAFF_PASSWORD)).status, 303);
      const onB = new AdminClient(`${nodeB.url}/`);
      onB.cookies.set('tessera_admin_session', onA.cookies.get('tessera_admin_session') ?? '');
      assert.match((await onB.request('/admin/')).text, /Create token/);
      const changed = 'another horse battery 18';
      tessera(env, ['changepassword', 'staff'], `${changed}\n${changed}\n`);
      for (const client of [onA, onB, staff]) {
        const page = await client.request('/admin/');
        assert.match(page.text, /<button type="submit">Sign in<\/button>/);
      }
      const again = new AdminClient(`${nodeB.url}/`);
      assert.equal((await again.signIn('staff', changed)).status, 303);
    });
  });
}

for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
  scenario(kind, 'as shipped (cache on by default)', {});
}
scenario('mysql', 'cache on by default, with Redis', { REDIS_URL });
