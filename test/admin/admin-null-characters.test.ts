import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServerNode, tessera } from '../multi-node/node-process.js';
import { AdminClient } from './admin-client.js';
import { freshDatabase } from './node-database.js';

const STAFF_PASSWORD = 'correct horse battery 17';
const REFUSAL =
  'Please enter the correct username and password for a staff account. Note that both fields may be case-sensitive.';

/**
 * A NUL in any field the page looks a user up by (PostgreSQL cannot even compare one) is a name
 * no user has: the same answers as any unknown name, never a server error.
 */
for (const kind of ['sqlite', 'postgres', 'mysql'] as const) {
  describe(`${kind}: the admin page and a NUL in a username`, () => {
    let drop: () => Promise<void> = async () => {};
    let node: ServerNode;

    before(async () => {
      const database = await freshDatabase(kind);
      drop = database.drop;
      const env = { DATABASE_URL: database.url };
      tessera(env, ['migrate']);
      tessera(env, ['users', 'add', 'staff', '--staff', '--password-stdin'], `${STAFF_PASSWORD}\n`);
      tessera(env, ['users', 'add', 'alice']);
      node = await ServerNode.start(env);
    });
    after(async () => {
      await node?.stop();
      await drop();
    });

    test("signing in as staff\\0 gets Django admin's refusal, no session", async () => {
      const client = new AdminClient(`${node.url}/`);
      const answer = await client.signIn('staff\0', STAFF_PASSWORD);
      assert.equal(answer.status, 200, answer.text);
      assert.ok(answer.text.includes(REFUSAL));
      assert.equal(client.cookies.has('tessera_admin_session'), false);
    });

    test('the token filter, the user search and the create form treat it as an unknown name', async () => {
      const client = new AdminClient(`${node.url}/`);
      assert.equal((await client.signIn('staff', STAFF_PASSWORD)).status, 303);
      const filtered = await client.request('/admin/?user=alice%00');
      assert.equal(filtered.status, 200, filtered.text);
      assert.match(filtered.text, /<p>No tokens\.<\/p>/);
      const searched = await client.request('/admin/users/?q=al%00');
      assert.equal(searched.status, 200, searched.text);
      assert.match(searched.text, /<p>No users\.<\/p>/);
      const created = await client.request('/admin/create/', {
        form: {
          csrfmiddlewaretoken: AdminClient.csrf(filtered.text),
          username: 'alice\0',
          name: 'ci',
          scopes: '',
          expires_in: '',
        },
      });
      assert.equal(created.status, 400, created.text);
      assert.match(created.text, /No user is named &quot;alice/);
      assert.doesNotMatch(node.output, /error/i);
    });
  });
}
