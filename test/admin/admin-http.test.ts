import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdminClient, newKeyOn } from './admin-client.js';
import { PASSWORD, type RunningAdminServer, startAdminServer } from './admin-server.js';

const REFUSAL = 'Please enter the correct username and password for a staff account.';

let server: RunningAdminServer;
before(async () => {
  server = await startAdminServer();
});
after(async () => {
  await server?.close();
});

async function signedIn(username = 'staff'): Promise<AdminClient> {
  const client = new AdminClient(server.url);
  const answer = await client.signIn(username, PASSWORD);
  assert.equal(answer.status, 303, answer.text);
  return client;
}

async function createToken(
  client: AdminClient,
  fields: Record<string, string>,
): Promise<{ status: number; headers: Headers; text: string }> {
  const page = await client.request('/admin/');
  return client.request('/admin/create/', {
    form: { csrfmiddlewaretoken: AdminClient.csrf(page.text), ...fields },
  });
}

describe('admin page: headers and sign-in', () => {
  test('signed out, /admin/ is the sign-in form, with no-store, a strict CSP and DENY framing', async () => {
    const client = new AdminClient(server.url);
    const page = await client.request('/admin/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<label for="username">Username<\/label>/);
    assert.match(page.text, /<label for="password">Password<\/label>/);
    assert.match(page.text, /<button type="submit">Sign in<\/button>/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(client.lastSetCookie.length, 1);
    assert.match(client.lastSetCookie[0] ?? '', /HttpOnly/);
    assert.match(client.lastSetCookie[0] ?? '', /SameSite=Strict/);
    assert.doesNotMatch(client.lastSetCookie[0] ?? '', /Secure/);
  });

  test('staff sign in with a new HttpOnly, SameSite=Strict session; the page has both forms', async () => {
    const client = await signedIn();
    const cookie = client.lastSetCookie[0] ?? '';
    assert.match(
      cookie,
      /^tessera_admin_session=[A-Za-z0-9_-]{43}; Path=\/admin\/; HttpOnly; SameSite=Strict$/,
    );
    const page = await client.request('/admin/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<button type="submit">Create token<\/button>/);
    assert.match(page.text, /<table>/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.ok(server.actions.some((a) => a.action === 'sign_in' && a.actor === 'staff'));
  });

  for (const [who, username, password] of [
    ['a wrong password', 'staff', 'wrong password'],
    ['an ordinary user', 'ann', PASSWORD],
    ['an inactive staff member', 'gone', PASSWORD],
    ['an unknown user', 'nobody', PASSWORD],
  ] as const) {
    test(`${who} gets Django admin's refusal and no session`, async () => {
      const client = new AdminClient(server.url);
      const answer = await client.signIn(username, password);
      assert.equal(answer.status, 200);
      assert.ok(answer.text.includes(REFUSAL));
      assert.equal(client.cookies.has('tessera_admin_session'), false);
    });
  }

  test('a sign-in post without the CSRF token, or from another origin, is 403', async () => {
    const client = new AdminClient(server.url);
    const page = await client.request('/admin/');
    const csrf = AdminClient.csrf(page.text);
    const noToken = await client.request('/admin/sign-in/', {
      form: { username: 'staff', password: PASSWORD },
    });
    assert.equal(noToken.status, 403);
    const foreign = await client.request('/admin/sign-in/', {
      form: { csrfmiddlewaretoken: csrf, username: 'staff', password: PASSWORD },
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('location'), null);
    const bare = new AdminClient(server.url, null);
    bare.cookies.set('tessera_admin_csrf', client.cookies.get('tessera_admin_csrf') ?? '');
    const noOrigin = await bare.request('/admin/sign-in/', {
      form: { csrfmiddlewaretoken: csrf, username: 'staff', password: PASSWORD },
    });
    assert.equal(noOrigin.status, 403);
  });

  test('a new session id at each sign-in: a planted id is replaced, a held one ended', async () => {
    const planted = new AdminClient(server.url);
    planted.cookies.set('tessera_admin_session', 'p'.repeat(43));
    assert.equal((await planted.signIn('staff', PASSWORD)).status, 303);
    assert.notEqual(planted.cookies.get('tessera_admin_session'), 'p'.repeat(43));

    const first = (await signedIn()).cookies.get('tessera_admin_session') ?? '';
    const again = new AdminClient(server.url);
    const form = await again.request('/admin/');
    again.cookies.set('tessera_admin_session', first);
    const answer = await again.request('/admin/sign-in/', {
      form: {
        csrfmiddlewaretoken: AdminClient.csrf(form.text),
        username: 'staff',
        password: PASSWORD,
      },
    });
    assert.equal(answer.status, 303);
    assert.notEqual(again.cookies.get('tessera_admin_session'), first);
    const stale = new AdminClient(server.url);
    stale.cookies.set('tessera_admin_session', first);
    assert.match((await stale.request('/admin/')).text, /Sign in<\/button>/);
  });

  test('failed sign-ins hit the obtain-token login limit: 429', async () => {
    const client = new AdminClient(server.url);
    let last = 0;
    for (let i = 0; i < 6; i++) last = (await client.signIn('limited', 'wrong')).status;
    assert.equal(last, 429);
  });

  test('behind a trusted proxy that says https, cookies are Secure', async () => {
    const proxied = await startAdminServer({ numProxies: 1 });
    try {
      const response = await fetch(new URL('/admin/', proxied.url), {
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
      });
      assert.match(response.headers.getSetCookie()[0] ?? '', /; Secure$/);
    } finally {
      await proxied.close();
    }
  });

  test('TESSERA_SECRET_KEY signs when set, and a short one is refused at start', async () => {
    await assert.rejects(startAdminServer({ secretKey: 'too short' }), /at least 32 characters/);
    const keyed = await startAdminServer({ secretKey: 'k'.repeat(40) });
    try {
      const client = new AdminClient(keyed.url);
      assert.equal((await client.signIn('staff', PASSWORD)).status, 303);
      assert.match((await client.request('/admin/')).text, /Create token/);
    } finally {
      await keyed.close();
    }
  });

  test('TESSERA_ADMIN off: /admin/ is 404', async () => {
    const off = await startAdminServer({ admin: false });
    try {
      assert.equal((await fetch(new URL('/admin/', off.url))).status, 404);
    } finally {
      await off.close();
    }
  });
});

describe('admin page: sessions end', () => {
  test('by sign-out', async () => {
    const client = await signedIn();
    const cookie = client.cookies.get('tessera_admin_session') ?? '';
    const page = await client.request('/admin/');
    const out = await client.request('/admin/sign-out/', {
      form: { csrfmiddlewaretoken: AdminClient.csrf(page.text) },
    });
    assert.equal(out.status, 303);
    const replay = new AdminClient(server.url);
    replay.cookies.set('tessera_admin_session', cookie);
    assert.match((await replay.request('/admin/')).text, /Sign in<\/button>/);
  });

  test('by a password change', async () => {
    const client = await signedIn('bob');
    const bob = await server.store.getUserByUsername('bob');
    assert.ok(bob);
    await server.store.updateUser(bob.id, { password: await server.passwords.hash('new one 2') });
    assert.match((await client.request('/admin/')).text, /Sign in<\/button>/);
    await server.store.updateUser(bob.id, { password: await server.passwords.hash(PASSWORD) });
  });

  test('by deactivation in the users page', async () => {
    const victim = await signedIn('bob');
    const root = await signedIn('root');
    const bob = await server.store.getUserByUsername('bob');
    const page = await root.request('/admin/users/');
    assert.match(page.text, /Search users/);
    const answer = await root.request('/admin/deactivate/', {
      form: { csrfmiddlewaretoken: AdminClient.csrf(page.text), id: String(bob?.id) },
    });
    assert.equal(answer.status, 303);
    assert.match((await victim.request('/admin/')).text, /Sign in<\/button>/);
    assert.ok(server.actions.some((a) => a.action === 'deactivate' && a.actor === 'root'));
    const again = await root.request('/admin/users/?q=bo');
    await root.request('/admin/activate/', {
      form: { csrfmiddlewaretoken: AdminClient.csrf(again.text), id: String(bob?.id) },
    });
    assert.equal((await server.store.getUserById(bob?.id ?? 0))?.isActive, true);
  });
});

describe('admin page: tokens', () => {
  test('a created key shows once, works over HTTP, never in a URL; revoking it refuses it', async () => {
    const client = await signedIn();
    const created = await createToken(client, {
      username: 'ann',
      name: 'ci',
      scopes: '',
      expires_in: '',
    });
    assert.equal(created.status, 303);
    assert.equal(created.headers.get('location'), '/admin/');
    const page = await client.request('/admin/');
    const key = newKeyOn(page.text);
    assert.ok(key?.startsWith('tsr_'));
    assert.equal(newKeyOn((await client.request('/admin/')).text), null);
    const use = await fetch(new URL('/api/build-trigger/', server.url), {
      method: 'POST',
      headers: { authorization: `Token ${key}` },
    });
    assert.equal(use.status, 200);
    assert.ok(server.actions.some((a) => a.action === 'token_created' && a.actor === 'staff'));
    const id = /name="id" value="(\d+)"/.exec(page.text)?.[1];
    const revoked = await client.request('/admin/revoke/', {
      form: { csrfmiddlewaretoken: AdminClient.csrf(page.text), id: String(id) },
    });
    assert.equal(revoked.status, 303);
    const refused = await fetch(new URL('/api/build-trigger/', server.url), {
      method: 'POST',
      headers: { authorization: `Token ${key}` },
    });
    assert.equal(refused.status, 401);
  });

  test('rotating shows the new key once; the old key stops working', async () => {
    const client = await signedIn();
    await createToken(client, { username: 'ann', name: 'to-rotate' });
    const page = await client.request('/admin/');
    const oldKey = newKeyOn(page.text) ?? '';
    const id = (await server.store.listTokens()).find((t) => t.name === 'to-rotate')?.id;
    const rotated = await client.request('/admin/rotate/', {
      form: { csrfmiddlewaretoken: AdminClient.csrf(page.text), id: String(id) },
    });
    assert.equal(rotated.status, 303);
    const newKey = newKeyOn((await client.request('/admin/')).text) ?? '';
    assert.match(newKey, /^tsr_/);
    assert.notEqual(newKey, oldKey);
    const status = async (key: string) =>
      (
        await fetch(new URL('/api/build-trigger/', server.url), {
          method: 'POST',
          headers: { authorization: `Token ${key}` },
        })
      ).status;
    assert.equal(await status(oldKey), 401);
    assert.equal(await status(newKey), 200);
    assert.ok(server.actions.some((a) => a.action === 'token_rotated' && a.tokenId === id));
  });

  test('a cross-site post with the session cookie but no CSRF token is 403, never a redirect', async () => {
    const client = await signedIn();
    const forged = await client.request('/admin/create/', {
      form: { username: 'ann', name: 'forged' },
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.get('location'), null);
    const sameSite = await client.request('/admin/create/', {
      form: { username: 'ann', name: 'forged' },
    });
    assert.equal(sameSite.status, 403);
    assert.equal(
      (await server.store.listTokens()).some((t) => t.name === 'forged'),
      false,
    );
  });

  test('the session cookie never authenticates the JSON API', async () => {
    const client = await signedIn('root');
    for (const path of ['/api/tokens/', '/api-token-auth/logoutall/', '/api/build-trigger/']) {
      const response = await fetch(new URL(path, server.url), {
        method: path === '/api/tokens/' ? 'GET' : 'POST',
        headers: { cookie: client.cookieHeader(), origin: server.origin },
      });
      assert.equal(response.status, 401, path);
    }
  });

  test("staff act on ordinary users only; a staff member's tokens need a superuser", async () => {
    const staff = await signedIn();
    const refused = await createToken(staff, { username: 'bob', name: 'wide', scopes: '*' });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /Only a superuser/);
    const root = await signedIn('root');
    const allowed = await createToken(root, { username: 'bob', name: 'wide', scopes: '*' });
    assert.equal(allowed.status, 303);
    const bobsToken = (await server.store.listTokens()).find((t) => t.name === 'wide');
    const page = await staff.request('/admin/');
    const revoke = await staff.request('/admin/revoke/', {
      form: { csrfmiddlewaretoken: AdminClient.csrf(page.text), id: String(bobsToken?.id) },
    });
    assert.equal(revoke.status, 403);
    assert.ok(await server.store.getToken(bobsToken?.id ?? 0));
  });

  test('scopes and lifetime follow the API: named scopes kept, a bad scope or lifetime refused', async () => {
    const client = await signedIn();
    assert.equal(
      (
        await createToken(client, {
          username: 'ann',
          name: 'narrow',
          scopes: 'builds tokens',
          expires_in: '30d',
        })
      ).status,
      303,
    );
    const narrow = (await server.store.listTokens()).find((t) => t.name === 'narrow');
    assert.deepEqual(narrow?.scopes, ['builds', 'tokens']);
    assert.ok(narrow?.expires);
    const days = ((narrow?.expires?.getTime() ?? 0) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30);
    const bad = await createToken(client, { username: 'ann', name: 'bad', scopes: 'quote"d' });
    assert.equal(bad.status, 400);
    const badLifetime = await createToken(client, {
      username: 'ann',
      name: 'bad',
      expires_in: 'soon',
    });
    assert.equal(badLifetime.status, 400);
    const unknown = await createToken(client, { username: 'nobody', name: 'x' });
    assert.equal(unknown.status, 400);
  });

  test('the filter by user and keyset pages', async () => {
    const client = await signedIn();
    const ann = await server.store.getUserByUsername('ann');
    for (let i = 0; i < 55; i++) {
      await server.tessera.store.createToken({
        userId: ann?.id ?? 0,
        kind: 'named',
        name: `bulk-${i}`,
        digest: i.toString(16).padStart(64, 'a'),
        preview: 'tsr_bulk',
        scopes: ['*'],
        created: new Date(),
        expires: null,
        slidingSeconds: null,
        maxExpires: null,
      });
    }
    const first = await client.request('/admin/?user=ann');
    assert.match(first.text, /bulk-54/);
    assert.doesNotMatch(first.text, /bulk-4</);
    const next = /href="(\/admin\/\?user=ann&amp;before=\d+)"/
      .exec(first.text)?.[1]
      ?.replace('&amp;', '&');
    assert.ok(next);
    const second = await client.request(next);
    assert.match(second.text, /bulk-4</);
    assert.doesNotMatch(second.text, /bulk-54/);
    const nobody = await client.request('/admin/?user=root');
    assert.match(nobody.text, /No tokens\./);
  });

  test("revoke all of a user's tokens from the users page", async () => {
    const client = await signedIn();
    const ann = await server.store.getUserByUsername('ann');
    const page = await client.request('/admin/users/?q=an');
    assert.match(page.text, /<td>ann<\/td>/);
    const answer = await client.request('/admin/revoke-all/', {
      form: { csrfmiddlewaretoken: AdminClient.csrf(page.text), id: String(ann?.id) },
    });
    assert.equal(answer.status, 303);
    assert.deepEqual(await server.store.listTokens({ userId: ann?.id ?? 0 }), []);
    assert.ok(server.actions.some((a) => a.action === 'revoke_all' && a.userId === ann?.id));
  });
});
