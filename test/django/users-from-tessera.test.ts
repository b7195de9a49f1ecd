import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src/core/config/settings.js';
import { type NodeEnv, tessera } from '../multi-node/node-process.js';
import { DjangoProject, type DjangoServer } from './django-project.js';
import { buildTrigger, obtainToken, request } from './http.js';
import { SHARED_KINDS, sharedDatabase } from './shared-database.js';

const BOB_PASSWORD = 'bob: Gr8 rivers → ñ sea';
const CAROL_PASSWORD = 'carol: correct horse battery staple';
const DAVE_PASSWORD = 'dave: pale blue teapot orbit';
const UNABLE = '{"non_field_errors":["Unable to log in with provided credentials."]}';

function cookie(setCookie: string | string[] | undefined, name: string): string {
  const lines = Array.isArray(setCookie) ? setCookie : [setCookie ?? ''];
  const value = lines.map((line) => new RegExp(`^${name}=([^;]+)`).exec(line)?.[1]).find(Boolean);
  if (!value) throw new Error(`no ${name} cookie in ${JSON.stringify(setCookie)}`);
  return value;
}

/** Signs in on Django's admin as a browser does: the form, its CSRF token, then the POST. */
async function adminSignIn(server: string, username: string, password: string) {
  const form = await request(new URL('/admin/login/?next=/admin/', server).href, 'GET');
  assert.equal(form.status, 200, form.body);
  const csrf = cookie(form.headers['set-cookie'], 'csrftoken');
  const field = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const posted = await request(
    new URL('/admin/login/?next=/admin/', server).href,
    'POST',
    { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `csrftoken=${csrf}` },
    new URLSearchParams({
      csrfmiddlewaretoken: field,
      username,
      password,
      next: '/admin/',
    }).toString(),
  );
  if (posted.status !== 302) return { status: posted.status, body: posted.body, page: '' };
  const session = cookie(posted.headers['set-cookie'], 'sessionid');
  const page = await request(new URL(posted.headers.location as string, server).href, 'GET', {
    Cookie: `sessionid=${session}`,
  });
  return { status: posted.status, body: posted.body, page: page.body };
}

for (const kind of SHARED_KINDS) {
  describe(`users tessera creates sign in on Django (${kind})`, () => {
    let project: DjangoProject;
    let django: DjangoServer;
    let env: NodeEnv;

    before(async () => {
      project = DjangoProject.create(await sharedDatabase(kind));
      // tessera's own iteration count, as shipped: Django must verify what tessera writes.
      env = {
        DATABASE_URL: project.database.url,
        TESSERA_PASSWORD_ITERATIONS: String(DEFAULT_SETTINGS.passwordIterations),
      };
      tessera(env, ['migrate']);
      tessera(env, ['users', 'add', 'bob', '--staff', '--password-stdin'], `${BOB_PASSWORD}\n`);
      tessera(env, ['users', 'add', 'dave', '--password-stdin'], `${DAVE_PASSWORD}\n`);
      tessera({ ...env, TESSERA_SUPERUSER_PASSWORD: CAROL_PASSWORD }, [
        'createsuperuser',
        '--noinput',
        '--username',
        'carol',
        '--email',
        'carol@example.com',
      ]);
      django = await project.serve();
    });
    after(async () => {
      await django?.stop();
      await project?.cleanup();
    });

    for (const [username, password] of [
      ['bob', BOB_PASSWORD],
      ['carol', CAROL_PASSWORD],
      ['dave', DAVE_PASSWORD],
    ] as const) {
      test(`${username}, made by tessera, gets a DRF key from Django's obtain-token and uses it`, async () => {
        const wrong = await obtainToken(django.url, username, `${password}!`);
        assert.equal(`${wrong.status} ${wrong.body}`, `400 ${UNABLE}`);
        const login = await obtainToken(django.url, username, password);
        assert.equal(login.status, 200, login.body);
        const key = JSON.parse(login.body).token as string;
        assert.match(key, /^[0-9a-f]{40}$/);
        const trigger = await buildTrigger(django.url, key);
        assert.equal(`${trigger.status} ${trigger.body}`, `200 {"triggered_by":"${username}"}`);
      });
    }

    test("the staff user and the superuser tessera made sign in on Django's admin", async () => {
      for (const [username, password] of [
        ['bob', BOB_PASSWORD],
        ['carol', CAROL_PASSWORD],
      ] as const) {
        const signIn = await adminSignIn(django.url, username, password);
        assert.equal(signIn.status, 302, `${username}: ${signIn.body.slice(0, 300)}`);
        assert.match(signIn.page, /Site administration/);
      }
    });

    test("Django's admin refuses a wrong password and a user tessera made without --staff", async () => {
      for (const [username, password] of [
        ['bob', `${BOB_PASSWORD}!`],
        ['dave', DAVE_PASSWORD],
      ] as const) {
        const signIn = await adminSignIn(django.url, username, password);
        assert.equal(signIn.status, 200, username);
        assert.match(signIn.body, /Please enter the correct username and password for a staff/);
      }
    });
  });
}
