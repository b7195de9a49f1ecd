import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServerNode, tessera } from '../multi-node/node-process.js';
import { DjangoProject, type DjangoServer } from './django-project.js';
import { obtainToken } from './http.js';
import { SHARED_KINDS, sharedDatabase } from './shared-database.js';

// Every hasher in the Django project's PASSWORD_HASHERS (django_project.py), by algorithm.
const HASHERS = [
  'pbkdf2_sha256',
  'pbkdf2_sha1',
  'argon2',
  'bcrypt_sha256',
  'bcrypt',
  'sha1',
  'md5',
  'unsalted_md5',
  'unsalted_sha1',
] as const;

// Spaces and non-ASCII on purpose: neither side may trim or normalise a password.
const passwordOf = (hasher: string) => ` ${hasher}: Pässwörd ñ 🦄 `;
const usernameOf = (hasher: string) => `user_${hasher}`;
const UNABLE = '{"non_field_errors":["Unable to log in with provided credentials."]}';

for (const kind of SHARED_KINDS) {
  describe(`passwords Django hashed log in on tessera (${kind})`, () => {
    let project: DjangoProject;
    let django: DjangoServer;
    let node: ServerNode;

    before(async () => {
      project = DjangoProject.create(await sharedDatabase(kind));
      const stored = project.makeUsers(
        HASHERS.map((hasher) => ({
          username: usernameOf(hasher),
          password: passwordOf(hasher),
          hasher,
        })),
      );
      // Django really stored each hasher's format: the test proves nothing otherwise.
      assert.deepEqual(
        stored,
        Object.fromEntries(HASHERS.map((hasher) => [usernameOf(hasher), hasher])),
      );
      tessera({ DATABASE_URL: project.database.url }, ['migrate']);
      django = await project.serve();
      node = await ServerNode.start({ DATABASE_URL: project.database.url });
    });
    after(async () => {
      await Promise.all([node?.stop(), django?.stop()]);
      await project?.cleanup();
    });

    test("a username in another case: tessera finds the user exactly when Django does (MySQL's default collation ignores case)", async () => {
      const hasher = 'pbkdf2_sha256';
      // DRF's serializer trims the username, so the trailing space is found everywhere.
      for (const [username, found] of [
        [usernameOf(hasher).toUpperCase(), kind === 'mysql'],
        [`${usernameOf(hasher)} `, true],
      ] as const) {
        const onDjango = await obtainToken(django.url, username, passwordOf(hasher));
        assert.equal(onDjango.status, found ? 200 : 400, `Django, ${username}: ${onDjango.body}`);
        const onTessera = await obtainToken(node.url, username, passwordOf(hasher));
        assert.equal(
          found ? String(onTessera.status) : `${onTessera.status} ${onTessera.body}`,
          found ? '200' : `400 ${UNABLE}`,
          `tessera, ${JSON.stringify(username)}: ${onTessera.body}`,
        );
      }
    });

    for (const hasher of HASHERS) {
      test(`${hasher}: the password logs in on tessera, a wrong one does not, and Django still takes it`, async () => {
        const username = usernameOf(hasher);
        const wrong = await obtainToken(node.url, username, `${passwordOf(hasher)}x`);
        assert.equal(`${wrong.status} ${wrong.body}`, `400 ${UNABLE}`);
        const login = await obtainToken(node.url, username, passwordOf(hasher));
        assert.equal(login.status, 200, `tessera refused a ${hasher} password: ${login.body}`);
        assert.match(JSON.parse(login.body).token, /^tsr_/);
        // docs/databases.md: a legacy hash is upgraded to pbkdf2_sha256 at the login. The new
        // hash is written after the answer is sent, so it is awaited (a few seconds at most).
        const upgradedBy = Date.now() + 5000;
        let algorithms = project.helper('hashers', [username]) as Record<string, string>;
        while (algorithms[username] !== 'pbkdf2_sha256' && Date.now() < upgradedBy) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          algorithms = project.helper('hashers', [username]) as Record<string, string>;
        }
        assert.deepEqual(algorithms, { [username]: 'pbkdf2_sha256' });
        // tessera may have upgraded the hash at that login: Django must still verify it.
        const onDjango = await obtainToken(django.url, username, passwordOf(hasher));
        assert.equal(onDjango.status, 200, `Django after tessera's login: ${onDjango.body}`);
        const again = await obtainToken(node.url, username, passwordOf(hasher));
        assert.equal(again.status, 200, again.body);
      });
    }
  });
}
