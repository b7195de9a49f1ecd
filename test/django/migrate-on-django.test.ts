import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CHANGE_TRIGGERS } from '../../src/stores/sql/change-triggers.js';
import { tessera } from '../multi-node/node-process.js';
import { DjangoProject, type DjangoServer } from './django-project.js';
import { inspect } from './django-schema.js';
import { buildTrigger, obtainToken } from './http.js';
import { SHARED_KINDS, sharedDatabase } from './shared-database.js';

const ALICE_PASSWORD = 'alice: correct horse battery staple';

// tessera's change triggers: on its own token table, and on Django's auth_user.
const EXPECTED_TRIGGERS = CHANGE_TRIGGERS.map(
  (name) => `${name} on ${name.startsWith('tessera_token') ? 'tessera_token' : 'auth_user'}`,
).sort();

/** What Django's own endpoints answer, the DRF key replaced so two runs compare. */
async function djangoAnswers(
  server: DjangoServer,
  keys: { alice: string; bob: string },
): Promise<string[]> {
  const answers = [
    await obtainToken(server.url, 'alice', ALICE_PASSWORD),
    await obtainToken(server.url, 'alice', 'not the password'),
    await buildTrigger(server.url, keys.alice),
    await buildTrigger(server.url, 'f'.repeat(40)),
    await buildTrigger(server.url, keys.bob),
  ];
  return answers.map(
    (answer) => `${answer.status} ${answer.body.replaceAll(keys.alice, '<alice key>')}`,
  );
}

for (const kind of SHARED_KINDS) {
  describe(`tessera migrate on a database a Django + DRF app made (${kind})`, () => {
    let project: DjangoProject;
    let server: DjangoServer;
    const keys = { alice: '', bob: '' };

    before(async () => {
      project = DjangoProject.create(await sharedDatabase(kind));
      project.makeUsers([
        { username: 'alice', password: ALICE_PASSWORD },
        { username: 'bob', password: 'bob: correct horse battery staple', is_active: false },
      ]);
      keys.alice = project.drfCreateToken('alice');
      keys.bob = project.drfCreateToken('bob');
      server = await project.serve();
    });
    after(async () => {
      await server?.stop();
      await project?.cleanup();
    });

    test("adds tessera's tables and change triggers, and changes nothing of Django's", async () => {
      const answersBefore = await djangoAnswers(server, keys);
      assert.deepEqual(answersBefore, [
        '200 {"token":"<alice key>"}',
        '400 {"non_field_errors":["Unable to log in with provided credentials."]}',
        '200 {"triggered_by":"alice"}',
        '401 {"detail":"Invalid token."}',
        '401 {"detail":"User inactive or deleted."}',
      ]);
      const before = await inspect(project.database);
      assert.deepEqual(before.tessera, { tables: [], triggers: [] });
      assert.ok(before.snapshot.schema.some((line) => line.includes('authtoken_token')));
      assert.match(before.snapshot.rows.auth_user ?? '', /^2 rows/);

      tessera({ DATABASE_URL: project.database.url }, ['migrate']);

      const afterMigrate = await inspect(project.database);
      assert.deepEqual(afterMigrate.snapshot.schema, before.snapshot.schema);
      assert.deepEqual(afterMigrate.snapshot.rows, before.snapshot.rows);
      assert.ok(afterMigrate.tessera.tables.includes('tessera_token'));
      assert.ok(afterMigrate.tessera.tables.includes('tessera_migration'));
      // The change log the triggers write, on SQLite and MySQL (PostgreSQL's NOTIFY instead).
      assert.equal(afterMigrate.tessera.tables.includes('tessera_change'), kind !== 'postgres');
      assert.deepEqual([...afterMigrate.tessera.triggers].sort(), EXPECTED_TRIGGERS);

      // Django still works, and answers exactly as before.
      assert.deepEqual(await djangoAnswers(server, keys), answersBefore);
      const check = project.tryManage(['migrate', '--check']);
      assert.equal(check.status, 0, `manage.py migrate --check: ${check.stdout}${check.stderr}`);
      const migrations = project.manage(['showmigrations']);
      assert.match(migrations, /authtoken\n(?: \[X\] .*\n)+/);
      assert.doesNotMatch(migrations, /\[ \]/);
      const changes = project.tryManage(['makemigrations', '--check', '--dry-run']);
      assert.equal(changes.status, 0, `makemigrations --check: ${changes.stdout}${changes.stderr}`);
      // A second run finds nothing to apply and still leaves Django's tables alone.
      tessera({ DATABASE_URL: project.database.url }, ['migrate']);
      assert.deepEqual((await inspect(project.database)).snapshot, before.snapshot);
    });
  });
}
