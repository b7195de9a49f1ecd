import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inParallel, loopbackAddress } from './support/loopback-client.js';
import {
  dropTestDatabases,
  runTessera,
  STORE_KINDS,
  type StoreKind,
  TokenStoreServer,
} from './support/token-store-server.js';

after(() => dropTestDatabases());

const TOO_LONG = 'Ensure this value is less than or equal to 18250d (50 years).';

interface Listed {
  id: number;
  name: string;
  expires: string | null;
  created: string;
  key?: string;
}

// A value each database accepts in a datetime column that no reader can turn into a date.
const UNREADABLE_EXPIRY: Record<StoreKind, readonly string[]> = {
  // SQLite keeps any type in any column: text it cannot parse, and a number where text belongs.
  sqlite: [
    "UPDATE tessera_token SET expires = 'next tuesday', created = 42 WHERE name = 'corrupt'",
  ],
  postgres: ["UPDATE tessera_token SET expires = '-infinity' WHERE name = 'corrupt'"],
  mysql: [
    "SET SESSION sql_mode = ''",
    "UPDATE tessera_token SET expires = '0000-00-00 00:00:00' WHERE name = 'corrupt'",
  ],
};

for (const kind of STORE_KINDS) {
  describe(`${kind}: durations beyond the maximum, and dates that cannot be read`, () => {
    let server: TokenStoreServer;
    before(async () => {
      server = await TokenStoreServer.start(kind);
    });
    after(() => server.close());

    it('far-future expires_in and max_age answer 400 naming the maximum, from many clients', async () => {
      const bodies = [
        { name: 'a', expires_in: '9999999w' },
        { name: 'b', expires_in: '999999999w' },
        { name: 'c', expires_in: '18251d' },
        { name: 'd', expires_in: '2608w' },
        { name: 'e', sliding: true, expires_in: '1d', max_age: '999999999w' },
        { name: 'f', sliding: true, expires_in: '9999999w', max_age: '9999999w' },
      ];
      const answers = await inParallel(
        bodies.length,
        bodies.map(
          (body, n) => () =>
            server.call('POST', '/api/tokens/', server.adminKey, body, loopbackAddress(n)),
        ),
      );
      answers.forEach((answer, n) => {
        const body = bodies[n] as Record<string, unknown>;
        assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.body}`);
        const expected: Record<string, string[]> = {};
        for (const field of ['expires_in', 'max_age']) {
          if (typeof body[field] === 'string' && body[field] !== '1d') expected[field] = [TOO_LONG];
        }
        assert.deepEqual(answer.json, expected, JSON.stringify(body));
      });
      const list = await server.call('GET', '/api/tokens/', server.adminKey);
      assert.equal(list.status, 200, list.body);
      assert.deepEqual(
        (list.json as Listed[]).map((token) => token.name),
        ['default'],
      );
      assert.doesNotMatch(server.log, /RangeError|"statusCode":5\d\d|"level":50/);
    });

    it('the maximum itself is stored and read back on this database, fixed and sliding', async () => {
      const fixed = await server.call('POST', '/api/tokens/', server.adminKey, {
        name: 'fifty-years',
        expires_in: '18250d',
      });
      assert.equal(fixed.status, 201, fixed.body);
      const sliding = await server.call('POST', '/api/tokens/', server.adminKey, {
        name: 'fifty-years-sliding',
        sliding: true,
        expires_in: '18250d',
        max_age: '18250d',
      });
      assert.equal(sliding.status, 201, sliding.body);
      for (const created of [fixed.json as Listed, sliding.json as Listed]) {
        const expected = Date.parse(created.created) + 18_250 * 86_400_000;
        assert.equal(created.expires, new Date(expected).toISOString());
        assert.equal((await server.call('POST', '/api/build-trigger/', created.key)).status, 200);
      }
      const list = await server.call('GET', '/api/tokens/', server.adminKey);
      assert.equal(list.status, 200, list.body);
      assert.equal((list.json as Listed[]).length, 3);
      const cli = runTessera(server.databaseUrl, ['tokens', 'list', '--json']);
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal((JSON.parse(cli.stdout) as Listed[]).length, 3);
      await server.call('DELETE', `/api/tokens/${(fixed.json as Listed).id}/`, server.adminKey);
      await server.call('DELETE', `/api/tokens/${(sliding.json as Listed).id}/`, server.adminKey);
    });

    it('a stored expiry that cannot be read refuses that key only; lists show the rest', async () => {
      const corrupt = (
        await server.call('POST', '/api/tokens/', server.adminKey, { name: 'corrupt' })
      ).json as Listed;
      const healthy = (
        await server.call('POST', '/api/tokens/', server.adminKey, { name: 'healthy' })
      ).json as Listed;
      await server.sqlAll(UNREADABLE_EXPIRY[kind]);

      const refused = await server.call('POST', '/api/build-trigger/', corrupt.key);
      assert.equal(refused.status, 401, refused.body);
      assert.equal(refused.body, '{"detail":"Token has expired."}');
      assert.equal((await server.call('POST', '/api/build-trigger/', healthy.key)).status, 200);
      assert.equal((await server.call('POST', '/api/build-trigger/', server.adminKey)).status, 200);

      const list = await server.call('GET', '/api/tokens/', server.adminKey);
      assert.equal(list.status, 200, list.body);
      const byName = new Map((list.json as Listed[]).map((token) => [token.name, token]));
      assert.equal(byName.get('corrupt')?.expires, 'unreadable');
      assert.equal(byName.get('healthy')?.expires, null);
      const detail = await server.call('GET', `/api/tokens/${corrupt.id}/`, server.adminKey);
      assert.equal(detail.status, 200, detail.body);

      const cli = runTessera(server.databaseUrl, ['tokens', 'list']);
      assert.equal(cli.status, 0, cli.stderr);
      assert.match(cli.stdout, /corrupt .* unreadable/);
      assert.match(cli.stdout, /healthy /);
      assert.match(
        cli.stderr,
        new RegExp(
          `^warning: token ${corrupt.id} has a date tessera cannot read: ` +
            '(created, )?expires \\(an unreadable expiry refuses the token\\)',
        ),
      );
      // Scopes that cannot be read grant nothing: the key still authenticates, the API refuses it.
      const scoped = (
        await server.call('POST', '/api/tokens/', server.adminKey, {
          name: 'scoped',
          scopes: ['tokens', 'builds:trigger'],
        })
      ).json as Listed;
      await server.sql("UPDATE tessera_token SET scopes = '[\"tokens\"' WHERE name = 'scoped'");
      assert.equal((await server.call('POST', '/api/build-trigger/', scoped.key)).status, 200);
      const noScopes = await server.call('GET', '/api/tokens/', scoped.key);
      assert.equal(noScopes.status, 403, noScopes.body);
      const relisted = await server.call('GET', '/api/tokens/', server.adminKey);
      assert.equal(relisted.status, 200, relisted.body);
      const listedScoped = (relisted.json as (Listed & { scopes: string[] })[]).find(
        (token) => token.name === 'scoped',
      );
      assert.deepEqual(listedScoped?.scopes, []);
      await server.call('DELETE', `/api/tokens/${scoped.id}/`, server.adminKey);

      // An unreadable expiry counts as passed: prune deletes that token and nothing else.
      const pruned = runTessera(server.databaseUrl, ['tokens', 'prune']);
      assert.equal(pruned.stdout, 'Deleted 1 expired token(s).\n', pruned.stderr);
      assert.equal(await server.store.getToken(corrupt.id), null);
      assert.equal((await server.call('POST', '/api/build-trigger/', healthy.key)).status, 200);
    });
  });
}

describe('sqlite: tokens prune compares dates as dates', () => {
  let server: TokenStoreServer;
  before(async () => {
    server = await TokenStoreServer.start('sqlite');
  });
  after(() => server.close());

  it('an expiry written by another tool in ISO form, earlier today, is pruned; a later one is not', async () => {
    for (const name of ['iso-past', 'iso-future', 'django-future']) {
      await server.call('POST', '/api/tokens/', server.adminKey, { name });
    }
    const iso = (time: number) => new Date(time).toISOString().slice(0, 19);
    const now = Date.now();
    await server.sql("UPDATE tessera_token SET expires = ? WHERE name = 'iso-past'", [
      `${iso(now - 1000)}`,
    ]);
    await server.sql("UPDATE tessera_token SET expires = ? WHERE name = 'iso-future'", [
      `${iso(now + 3_600_000)}+00:00`,
    ]);
    // What a far-future expiry became before durations were bounded: it must not count as past.
    await server.sql(
      "UPDATE tessera_token SET expires = '9999-12-31 23:59:59' WHERE name = 'django-future'",
    );
    const pruned = runTessera(server.databaseUrl, ['tokens', 'prune']);
    assert.equal(pruned.status, 0, pruned.stderr);
    assert.equal(pruned.stdout, 'Deleted 1 expired token(s).\n');
    const names = (await server.store.listTokens()).map((token) => token.name);
    assert.deepEqual(names.sort(), ['default', 'django-future', 'iso-future']);
  });
});

describe('duration settings and CLI flags share the maximum', () => {
  let server: TokenStoreServer;
  before(async () => {
    server = await TokenStoreServer.start('sqlite');
  });
  after(() => server.close());

  it('tokens create --expires-in / --max-age beyond it: one line, exit 1, nothing stored', () => {
    for (const args of [
      ['--expires-in', '9999999w'],
      ['--sliding', '--expires-in', '1d', '--max-age', '999999999w'],
    ]) {
      const run = runTessera(server.databaseUrl, [
        'tokens',
        'create',
        'alice',
        '--name',
        'x',
        ...args,
      ]);
      assert.equal(run.status, 1, run.stdout);
      assert.match(
        run.stderr,
        new RegExp(
          `^CommandError: --(expires-in|max-age): ${TOO_LONG.replace(/[().]/g, '\\$&')}\\n$`,
        ),
      );
    }
    const at = runTessera(server.databaseUrl, [
      'tokens',
      'create',
      'alice',
      '--name',
      'at-the-maximum',
      '--expires-in',
      '2607w',
    ]);
    assert.equal(at.status, 0, at.stderr);
  });

  it('TESSERA_LOGIN_TOKEN_LIFETIME beyond it is refused before anything runs', () => {
    const run = runTessera(server.databaseUrl, ['tokens', 'list'], {
      TESSERA_LOGIN_TOKEN_LIFETIME: '9999999w',
    });
    assert.equal(run.status, 1, run.stdout);
    assert.match(
      run.stderr,
      /TESSERA_LOGIN_TOKEN_LIFETIME: Ensure this value is less than or equal to 18250d/,
    );
  });
});
