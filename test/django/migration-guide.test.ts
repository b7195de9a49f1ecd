import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { CHANGE_TRIGGERS } from '../../src/stores/sql/change-triggers.js';
import { freePort, NginxProcess } from '../forward-auth/support/nginx-process.js';
import { type NodeEnv, ServerNode, tessera, within } from '../multi-node/node-process.js';
import { DjangoProject, type DjangoServer } from './django-project.js';
import { type DjangoSnapshot, inspect } from './django-schema.js';
import { GuideCursor, type GuideStep, guideSteps, shellWords } from './guide-steps.js';
import { buildTrigger, obtainToken, request } from './http.js';
import { type SharedDatabase, type SharedKind, sharedDatabase } from './shared-database.js';

/**
 * docs/migrating-from-drf.md, run as written: every `sh` line, SQL block and the nginx
 * configuration, in the guide's order, on a real Django 3.2 + DRF 3.14 project (SQLite, then
 * PostgreSQL); after each step, what the guide says it changes, and that its roll-back restores
 * what was there before. The MySQL/MariaDB block is run at the end, on a Django project on
 * MariaDB.
 */

const INVALID = '{"detail":"Invalid token."}';
const INACTIVE = '{"detail":"User inactive or deleted."}';
const PASSWORD = { alice: 'alice: correct horse battery', bob: 'bob: correct horse battery' };
// The guide's placeholders, replaced by the test's database and ports.
const GUIDE_SQLITE_URL = 'sqlite:///srv/drfsite/db.sqlite3';
const GUIDE_TESSERA = '127.0.0.1:8001';
const GUIDE_DJANGO = '127.0.0.1:8000';
// The databases the guide's SQL blocks are for, by the harness's kind.
const SQL_DATABASE: Record<SharedKind, string> = {
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
  mysql: 'MySQL/MariaDB',
};
const TESSERA_TABLES = [
  'tessera_admin_session',
  'tessera_drf_import',
  'tessera_migration',
  'tessera_migration_lock',
  'tessera_secret',
  'tessera_token',
];

/** `DATABASE_URL` from Django's `DATABASES['default']`, by the guide's table. */
function urlFromDjango(django: Readonly<Record<string, string>>): string {
  if (django.ENGINE === 'django.db.backends.sqlite3') return `sqlite://${django.NAME}`;
  const scheme = django.ENGINE === 'django.db.backends.mysql' ? 'mysql' : 'postgres';
  const user = encodeURIComponent(django.USER ?? '');
  const password = django.PASSWORD ? `:${encodeURIComponent(django.PASSWORD)}` : '';
  return `${scheme}://${user}${password}@${django.HOST}:${django.PORT}/${django.NAME}`;
}

/** Runs `text` (several statements) on the shared database. */
async function execute(database: SharedDatabase, text: string): Promise<void> {
  if (database.kind === 'sqlite') {
    const db = new Database(database.filename as string);
    try {
      db.exec(text);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The first column of the first row of `text`, as a string. */
async function scalar(database: SharedDatabase, text: string): Promise<string> {
  if (database.kind === 'sqlite') {
    const db = new Database(database.filename as string, { readonly: true });
    try {
      return String(db.prepare(text).pluck().get());
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query(text);
    return String(Object.values(rows[0] ?? {})[0]);
  } finally {
    await client.end();
  }
}

const answer = async (server: string, key: string) => {
  const { status, body } = await buildTrigger(server, key);
  return `${status} ${body}`;
};

/** What Django answers, its keys replaced by names so two runs compare. */
async function djangoAnswers(server: DjangoServer, keys: Record<string, string>) {
  const answers = [
    await obtainToken(server.url, 'alice', PASSWORD.alice),
    await buildTrigger(server.url, keys.alice as string),
    await buildTrigger(server.url, keys.carol as string),
  ];
  return answers.map(({ status, body }) => {
    let text = `${status} ${body}`;
    for (const [name, key] of Object.entries(keys)) text = text.replaceAll(key, `<${name}>`);
    return text;
  });
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`docs/migrating-from-drf.md, every command in order, on a Django + DRF project (${kind})`, () => {
    const guide = new GuideCursor(guideSteps());
    const keys: Record<string, string> = {};
    const nodes: ServerNode[] = [];
    let project: DjangoProject;
    let django: DjangoServer;
    let djangoBefore: DjangoSnapshot;
    let answersBefore: string[];
    // The environment the guide's `export` lines build up, as one shell session would.
    const env: NodeEnv = {};

    /** Runs one `sh` line of the guide; `serve` starts a server (the guide's port made free). */
    async function run(step: GuideStep): Promise<string> {
      const { env: prefix, argv } = shellWords(step.text);
      const [program, ...args] = argv;
      if (program === 'export') {
        for (const assignment of args) {
          const [name, ...value] = assignment.split('=');
          let text = value.join('=');
          if (name === 'DATABASE_URL') {
            assert.equal(text, GUIDE_SQLITE_URL, `${step.origin}: the placeholder changed`);
            text = urlFromDjango(project.database.django);
          }
          env[name as string] = text;
        }
        return '';
      }
      if (program === 'npx' && args[0] === 'tessera') {
        const command = args.slice(1);
        if (command[0] === 'serve') {
          assert.deepEqual(command, ['serve', '--port', GUIDE_TESSERA.split(':')[1]]);
          const node = await ServerNode.start({ ...env, ...prefix });
          nodes.push(node);
          return node.url;
        }
        return tessera({ ...env, ...prefix }, command);
      }
      if (program === 'python' && args[0] === 'manage.py' && Object.keys(prefix).length === 0) {
        return project.manage(args.slice(1));
      }
      throw new Error(`${step.origin}: the test does not know how to run "${step.text}"`);
    }

    const sh = (pattern: RegExp) => run(guide.take('sh', pattern));

    /** The guide's SQL blocks for each database, in order; this database's is run. */
    async function sqlBlocks(databases: readonly string[]): Promise<void> {
      for (const database of databases) {
        const step = guide.take('sql', /./);
        assert.equal(step.database, database, `${step.origin}: the SQL blocks' order changed`);
        if (database === SQL_DATABASE[kind] || database === 'Every database') {
          await execute(project.database, step.text);
        }
      }
    }

    async function stopNodes(): Promise<void> {
      await Promise.all(nodes.splice(0).map((node) => node.stop()));
    }

    before(async () => {
      project = DjangoProject.create(await sharedDatabase(kind));
      project.makeUsers([
        { username: 'alice', password: PASSWORD.alice },
        { username: 'bob', password: PASSWORD.bob },
        { username: 'carol', password: 'carol: correct horse battery', is_active: false },
      ]);
      for (const username of ['alice', 'bob', 'carol']) {
        keys[username] = project.drfCreateToken(username);
      }
      django = await project.serve();
    });
    after(async () => {
      await Promise.all([...nodes.map((node) => node.stop()), django?.stop()]);
      await project?.cleanup();
    });

    test('1. DATABASE_URL from Django’s DATABASES, the hasher and count of this Django; nothing changes', async () => {
      djangoBefore = (await inspect(project.database)).snapshot;
      answersBefore = await djangoAnswers(django, keys);
      assert.deepEqual(answersBefore, [
        '200 {"token":"<alice>"}',
        '200 {"triggered_by":"alice"}',
        `401 ${INACTIVE}`,
      ]);
      await sh(/^export DATABASE_URL=/);
      await sh(/^export TESSERA_PASSWORD_HASHER=/);
      await sh(/^export TESSERA_PASSWORD_ITERATIONS=/);
      // The pairing the guide gives for Django 3.2 is what this Django writes.
      const [algorithm, iterations] = project
        .manage([
          'shell',
          '-c',
          'from django.contrib.auth.hashers import get_hasher; h = get_hasher(); print(h.algorithm, h.iterations)',
        ])
        .trim()
        .split(' ');
      assert.equal(env.TESSERA_PASSWORD_HASHER, algorithm);
      assert.equal(env.TESSERA_PASSWORD_ITERATIONS, iterations);
      if (kind === 'postgres') assert.equal(env.DATABASE_URL, project.database.url);
      const { snapshot, tessera: added } = await inspect(project.database);
      assert.deepEqual(added, { tables: [], triggers: [] });
      assert.deepEqual(snapshot, djangoBefore);
    });

    test("2. tessera migrate adds tessera's tables and triggers, changes none of Django's; the roll-back SQL removes exactly them", async () => {
      if (kind === 'sqlite') {
        assert.equal(await scalar(project.database, 'PRAGMA journal_mode'), 'delete');
      }
      const migrate = guide.take('sh', /^npx tessera migrate$/);
      assert.match(
        await run(migrate),
        /^Running migrations:\n {2}Applying 0001_initial\.\.\. OK\n/,
      );
      const migrated = await inspect(project.database);
      assert.deepEqual(migrated.snapshot, djangoBefore);
      assert.deepEqual(
        [...migrated.tessera.tables].sort(),
        [...TESSERA_TABLES, ...(kind === 'sqlite' ? ['tessera_change'] : [])].sort(),
      );
      assert.deepEqual(
        [...migrated.tessera.triggers].sort(),
        CHANGE_TRIGGERS.map(
          (name) =>
            `${name} on ${name.startsWith('tessera_token') ? 'tessera_token' : 'auth_user'}`,
        ).sort(),
      );
      assert.deepEqual(await djangoAnswers(django, keys), answersBefore);
      if (kind === 'sqlite') {
        assert.equal(await scalar(project.database, 'PRAGMA journal_mode'), 'wal');
      }

      await sqlBlocks(['SQLite', 'PostgreSQL', 'MySQL/MariaDB']);
      const rolledBack = await inspect(project.database);
      assert.deepEqual(rolledBack.tessera, { tables: [], triggers: [] });
      assert.deepEqual(rolledBack.snapshot, djangoBefore);
      if (kind === 'sqlite') {
        assert.equal(await scalar(project.database, 'PRAGMA journal_mode'), 'delete');
      } else {
        const functions = "SELECT count(*) FROM pg_proc WHERE proname LIKE 'tessera\\_%'";
        assert.equal(await scalar(project.database, functions), '0');
      }
      assert.deepEqual(await djangoAnswers(django, keys), answersBefore);

      // "To redo the step, run npx tessera migrate again."
      assert.match(await run(migrate), /Applying 0004_drf_import\.\.\. OK/);
      assert.deepEqual((await inspect(project.database)).snapshot, djangoBefore);
    });

    let importStep: GuideStep;

    test('3. tokens import-drf --dry-run changes nothing; the import makes every DRF key work on tessera; the roll-back SQL deletes only the copies', async () => {
      assert.equal(
        await sh(/^npx tessera tokens import-drf --dry-run$/),
        'Dry run, nothing changed: would import 3 DRF token(s), skip 0, remove 0.\n',
      );
      assert.equal(await scalar(project.database, 'SELECT count(*) FROM tessera_token'), '0');
      importStep = guide.take('sh', /^npx tessera tokens import-drf$/);
      assert.equal(await run(importStep), 'Imported 3 DRF token(s), skipped 0, removed 0.\n');

      const node = await ServerNode.start(env);
      nodes.push(node);
      assert.equal(await answer(node.url, keys.alice as string), '200 ');
      assert.equal(await answer(node.url, keys.bob as string), '200 ');
      assert.equal(await answer(node.url, keys.carol as string), `401 ${INACTIVE}`);
      assert.deepEqual(await djangoAnswers(django, keys), answersBefore);

      // The hasher and count of step 1: a login on tessera leaves Django's hash as it was.
      const hashOf = () =>
        scalar(project.database, "SELECT password FROM auth_user WHERE username = 'alice'");
      const hash = await hashOf();
      assert.match(hash, /^pbkdf2_sha256\$260000\$/);
      const login = await obtainToken(node.url, 'alice', PASSWORD.alice);
      assert.equal(login.status, 200, login.body);
      assert.match(login.body, /^\{"token":"tsr_/);
      assert.equal(await hashOf(), hash);

      await sqlBlocks(['Every database']);
      await within(1000, "the running server refuses the deleted copies' keys", async () => {
        return (await answer(node.url, keys.alice as string)) === `401 ${INVALID}`;
      });
      assert.equal(await answer(node.url, keys.bob as string), `401 ${INVALID}`);
      assert.equal(await scalar(project.database, 'SELECT count(*) FROM tessera_drf_import'), '0');
      // Only the copies: alice's login token from tessera's obtain-token stays.
      assert.equal(
        await scalar(project.database, "SELECT count(*) FROM tessera_token WHERE kind = 'login'"),
        '1',
      );
      assert.equal(await scalar(project.database, 'SELECT count(*) FROM tessera_token'), '1');
      assert.deepEqual(await djangoAnswers(django, keys), answersBefore);
      await stopNodes();
    });

    test('3. TESSERA_DRF_TOKENS=read: DRF keys work live, a new one at once; restarted without it they are refused', async () => {
      const live = await startFrom(/^TESSERA_DRF_TOKENS=read npx tessera serve --port 8001$/);
      nodes.push(live);
      assert.equal(await answer(live.url, keys.alice as string), '200 ');
      assert.equal(await answer(live.url, keys.carol as string), `401 ${INACTIVE}`);
      const fresh = /^Generated token ([0-9a-f]{40}) /.exec(
        project.manage(['drf_create_token', '-r', 'bob']),
      )?.[1] as string;
      assert.equal(await answer(live.url, fresh), '200 ');
      assert.equal(await answer(live.url, keys.bob as string), `401 ${INVALID}`);
      keys.bob = fresh;
      // Live mode writes nothing.
      assert.equal(await scalar(project.database, 'SELECT count(*) FROM tessera_token'), '1');
      await stopNodes();

      const plain = await startFrom(/^npx tessera serve --port 8001$/);
      nodes.push(plain);
      assert.equal(await answer(plain.url, keys.alice as string), `401 ${INVALID}`);
      assert.equal(await answer(plain.url, keys.bob as string), `401 ${INVALID}`);
      await stopNodes();

      // The steps below assume the keys are imported: step 3's import again.
      assert.equal(await run(importStep), 'Imported 3 DRF token(s), skipped 0, removed 0.\n');
    });

    /** Runs the guide's next `serve` line; returns the server it started. */
    async function startFrom(pattern: RegExp): Promise<ServerNode> {
      await sh(pattern);
      return nodes.pop() as ServerNode;
    }

    let nginxConfig = '';

    test('4. the nginx configuration sends the moved path to tessera and the rest to Django, both on the same keys', async () => {
      nginxConfig = guide.take('nginx', /location = \/api\/build-trigger\//).text;
      await sh(/^export TESSERA_NUM_PROXIES=1$/);
      const node = await startFrom(/^npx tessera serve --port 8001$/);
      nodes.push(node);
      const config = (listenPort: number, text: string) =>
        text
          .replaceAll(GUIDE_TESSERA, new URL(node.url).host)
          .replaceAll(GUIDE_DJANGO, new URL(django.url).host)
          .replace('listen 80;', `listen 127.0.0.1:${listenPort};`);

      const port = await freePort();
      const nginx = await NginxProcess.start(config(port, nginxConfig), port);
      const proxy = `http://127.0.0.1:${port}`;
      try {
        // tessera answers the moved path (its BuildTrigger's empty body), Django the rest.
        assert.equal(await answer(proxy, keys.alice as string), '200 ');
        assert.equal(await answer(proxy, keys.carol as string), `401 ${INACTIVE}`);
        const login = await obtainToken(proxy, 'alice', PASSWORD.alice);
        assert.equal(`${login.status} ${login.body}`, `200 {"token":"${keys.alice}"}`);
        const admin = await request(`${proxy}/admin/login/`, 'GET');
        assert.equal(admin.status, 200);
        assert.match(admin.body, /Django/);
      } finally {
        await nginx.stop();
      }
      assert.equal(await answer(django.url, keys.alice as string), '200 {"triggered_by":"alice"}');

      // The roll-back: without the moved path's location, Django answers it again.
      const withoutMoved = nginxConfig.replace(
        /\n *# Moved to tessera\.\n *location = \/api\/build-trigger\/ \{[^}]*\}\n/,
        '\n',
      );
      assert.notEqual(withoutMoved, nginxConfig);
      const backPort = await freePort();
      const back = await NginxProcess.start(config(backPort, withoutMoved), backPort);
      try {
        assert.equal(
          await answer(`http://127.0.0.1:${backPort}`, keys.alice as string),
          '200 {"triggered_by":"alice"}',
        );
      } finally {
        await back.stop();
      }
    });

    test('5. --delete-plaintext and Django’s migrate authtoken zero leave the keys on tessera only; the backup brings them back to Django', async () => {
      const [node] = nodes as [ServerNode];
      const backup = join(project.dir, 'authtoken-backup.json');
      await sh(/^python manage\.py dumpdata authtoken\.token --output authtoken-backup\.json$/);
      assert.equal((JSON.parse(readFileSync(backup, 'utf8')) as unknown[]).length, 3);

      assert.match(
        await sh(/^npx tessera tokens import-drf --delete-plaintext --dry-run$/),
        /^Dry run, nothing changed: would import 0 DRF token\(s\), skip 3, remove 0\.\n[\s\S]* {2}would delete 3 row\(s\) from authtoken_token\n$/,
      );
      assert.equal(await scalar(project.database, 'SELECT count(*) FROM authtoken_token'), '3');
      assert.equal(
        await sh(/^npx tessera tokens import-drf --delete-plaintext$/),
        'Imported 0 DRF token(s), skipped 3, removed 0.\n' +
          '  3 of the skipped were already imported\n' +
          '  deleted 3 row(s) from authtoken_token\n',
      );
      assert.equal(await scalar(project.database, 'SELECT count(*) FROM authtoken_token'), '0');
      assert.equal(await answer(node.url, keys.alice as string), '200 ');
      assert.equal(await answer(node.url, keys.bob as string), '200 ');
      assert.equal(await answer(django.url, keys.alice as string), `401 ${INVALID}`);

      await sh(/^python manage\.py migrate authtoken zero$/);
      const dropped = await inspect(project.database);
      assert.ok(!('authtoken_token' in dropped.snapshot.rows), 'authtoken_token is still there');
      assert.equal(await answer(node.url, keys.alice as string), '200 ');

      // The guide's edit: rest_framework.authtoken out of INSTALLED_APPS, with what imports it.
      const settings = join(project.dir, 'drfsite', 'settings.py');
      const urls = join(project.dir, 'drfsite', 'urls.py');
      const saved = { settings: readFileSync(settings, 'utf8'), urls: readFileSync(urls, 'utf8') };
      assert.ok(saved.settings.includes(", 'rest_framework.authtoken']"));
      writeFileSync(settings, saved.settings.replace(", 'rest_framework.authtoken']", ']'));
      // "Nothing warns about a leftover": urls.py still routes to TokenAuthentication, check
      // passes, and a request with a DRF-shaped key (no real one in an argument list) gets a 500.
      assert.match(project.manage(['check']), /System check identified no issues/);
      const leftover = project.manage([
        'shell',
        '-c',
        `from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST='127.0.0.1')
print(client.post('/api/build-trigger/', HTTP_AUTHORIZATION='Token ' + 'f' * 40).status_code)`,
      ]);
      assert.equal(leftover.trim().split('\n').at(-1), '500');
      writeFileSync(
        urls,
        "from django.contrib import admin\nfrom django.urls import path\n\nurlpatterns = [path('admin/', admin.site.urls)]\n",
      );
      assert.match(await sh(/^python manage\.py check$/), /System check identified no issues/);
      assert.equal(await answer(node.url, keys.alice as string), '200 ');

      // The roll-back: the app back, then Django's table and the backup's rows.
      writeFileSync(settings, saved.settings);
      writeFileSync(urls, saved.urls);
      await sh(/^python manage\.py migrate authtoken$/);
      assert.match(
        await sh(/^python manage\.py loaddata authtoken-backup\.json$/),
        /Installed 3 object\(s\) from 1 fixture\(s\)/,
      );
      assert.equal(await answer(django.url, keys.alice as string), '200 {"triggered_by":"alice"}');
      assert.equal(await answer(node.url, keys.alice as string), '200 ');
      // "tessera keeps its copies": the restored rows are its own keys, already imported.
      assert.match(
        tessera(env, ['tokens', 'import-drf']),
        /^Imported 0 DRF token\(s\), skipped 3, removed 0\./,
      );
      // "watches the restored rows again": a key Django deletes now removes its copy.
      assert.equal(
        project.helper<{ deleted: number }>('delete-token', { username: 'bob' }).deleted,
        1,
      );
      assert.match(
        tessera(env, ['tokens', 'import-drf']),
        /^Imported 0 DRF token\(s\), skipped 2, removed 1\./,
      );
      await within(1000, 'the running server refuses the key Django deleted', async () => {
        return (await answer(node.url, keys.bob as string)) === `401 ${INVALID}`;
      });
      assert.equal(await answer(node.url, keys.alice as string), '200 ');
      assert.ok(existsSync(backup));

      // Why /api-token-auth/ moves to tessera first: once the DRF rows are deleted, a login on
      // Django's obtain-token makes a new row, and the next import replaces the user's copy,
      // ending the key the client holds.
      assert.match(
        tessera(env, ['tokens', 'import-drf', '--delete-plaintext']),
        /deleted 2 row\(s\) from authtoken_token\n$/,
      );
      const login = await obtainToken(django.url, 'alice', PASSWORD.alice);
      const fresh = (JSON.parse(login.body) as { token: string }).token;
      assert.notEqual(fresh, keys.alice);
      assert.match(
        tessera(env, ['tokens', 'import-drf']),
        /^Imported 1 DRF token\(s\), skipped 0, removed 0\.\n {2}1 of the imported replaced/,
      );
      await within(1000, "the running server refuses alice's imported key", async () => {
        return (await answer(node.url, keys.alice as string)) === `401 ${INVALID}`;
      });
      assert.equal(await answer(node.url, fresh), '200 ');
    });

    test('the test ran every step of the guide', () => {
      assert.deepEqual(
        guide.rest.map((step) => `${step.origin}: ${step.kind} ${step.text}`),
        [],
      );
    });
  });
}

describe('docs/migrating-from-drf.md: DATABASE_URL and the roll-back of tessera migrate on a Django + DRF project (MariaDB)', () => {
  let project: DjangoProject;
  let django: DjangoServer;
  const keys: Record<string, string> = {};

  before(async () => {
    project = DjangoProject.create(await sharedDatabase('mysql'));
    project.makeUsers([
      { username: 'alice', password: PASSWORD.alice },
      { username: 'carol', password: 'carol: correct horse battery', is_active: false },
    ]);
    for (const username of ['alice', 'carol']) keys[username] = project.drfCreateToken(username);
    django = await project.serve();
  });
  after(async () => {
    await django?.stop();
    await project?.cleanup();
  });

  test("the MySQL row of the DATABASE_URL table reaches Django's database; the MySQL/MariaDB block drops exactly what tessera migrate made", async () => {
    const blocks = guideSteps().filter((step) => step.database === 'MySQL/MariaDB');
    assert.equal(blocks.length, 1);
    const url = urlFromDjango(project.database.django);
    assert.equal(url, project.database.url);
    const before = await inspect(project.database);
    const answersBefore = await djangoAnswers(django, keys);
    assert.deepEqual(answersBefore, [
      '200 {"token":"<alice>"}',
      '200 {"triggered_by":"alice"}',
      `401 ${INACTIVE}`,
    ]);

    tessera({ DATABASE_URL: url }, ['migrate']);
    tessera({ DATABASE_URL: url }, ['drf_create_token', 'alice']);
    const migrated = await inspect(project.database);
    assert.deepEqual(
      [...migrated.tessera.tables].sort(),
      [...TESSERA_TABLES, 'tessera_change'].sort(),
    );
    assert.deepEqual(
      [...migrated.tessera.triggers].sort(),
      CHANGE_TRIGGERS.map(
        (name) => `${name} on ${name.startsWith('tessera_token') ? 'tessera_token' : 'auth_user'}`,
      ).sort(),
    );
    assert.deepEqual(migrated.snapshot, before.snapshot);

    const connection = await mysql.createConnection({ uri: url, multipleStatements: true });
    try {
      await connection.query((blocks[0] as GuideStep).text);
    } finally {
      await connection.end();
    }
    const rolledBack = await inspect(project.database);
    assert.deepEqual(rolledBack.tessera, { tables: [], triggers: [] });
    assert.deepEqual(rolledBack.snapshot, before.snapshot);
    assert.deepEqual(await djangoAnswers(django, keys), answersBefore);
    const check = project.tryManage(['migrate', '--check']);
    assert.equal(check.status, 0, `manage.py migrate --check: ${check.stdout}${check.stderr}`);
  });
});
