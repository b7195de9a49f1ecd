import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  dropTestDatabases,
  runTessera,
  STORE_KINDS,
  TokenStoreServer,
} from './support/token-store-server.js';

after(() => dropTestDatabases());

// Anything a terminal would act on: C0 (ESC, CR, BEL…), DEL, C1 (CSI U+009B), bidi controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

// Clears the screen, writes a fake line, and reverses what follows.
const HOSTILE = 'ci\x1b[2J\rroot\x07\u009b31m\u202etxt.exe';

describe('token names refuse control characters through the API and the CLI', () => {
  let server: TokenStoreServer;
  before(async () => {
    server = await TokenStoreServer.start('sqlite');
  });
  after(() => server.close());

  it('400 naming the first control character; emoji sequences stay allowed', async () => {
    const cases: [string, string][] = [
      ['ci\x1b[2J', 'U+001B'],
      ['ci\rroot', 'U+000D'],
      ['ci\u009b31m', 'U+009B'],
      ['ci\u202etxt.exe', 'U+202E'],
      ['ci\x7f', 'U+007F'],
      ['ci\u2028x', 'U+2028'],
    ];
    for (const [name, codePoint] of cases) {
      const answer = await server.call('POST', '/api/tokens/', server.adminKey, { name });
      assert.equal(answer.status, 400, JSON.stringify(name));
      assert.deepEqual(answer.json, {
        name: [`Control characters are not allowed: ${codePoint}.`],
      });
    }
    const emoji = await server.call('POST', '/api/tokens/', server.adminKey, {
      name: 'laptop \u{1F469}\u200d\u{1F4BB}',
    });
    assert.equal(emoji.status, 201, emoji.body);
  });

  it('tokens create --name with ESC: one line, exit 1, nothing stored', () => {
    const run = runTessera(server.databaseUrl, ['tokens', 'create', 'alice', '--name', HOSTILE]);
    assert.equal(run.status, 1, run.stdout);
    assert.equal(run.stderr, 'CommandError: --name: Control characters are not allowed: U+001B.\n');
  });
});

for (const kind of STORE_KINDS) {
  describe(`${kind}: the CLI escapes what it prints from the database`, () => {
    let server: TokenStoreServer;
    let tokenId = 0;
    before(async () => {
      server = await TokenStoreServer.start(kind);
      const created = await server.call('POST', '/api/tokens/', server.adminKey, { name: 'plain' });
      tokenId = (created.json as { id: number }).id;
      // Rows written by raw SQL or a Django app skip tessera's checks.
      await server.sql('UPDATE tessera_token SET name = ?, scopes = ? WHERE id = ?', [
        HOSTILE,
        JSON.stringify([`deploy${HOSTILE}`]),
        tokenId,
      ]);
      await server.sql('UPDATE auth_user SET username = ?, email = ? WHERE id = ?', [
        `alice${HOSTILE}`,
        `a${HOSTILE}@example.com`,
        server.userId,
      ]);
    });
    after(() => server.close());

    it('tokens list, as a table and as JSON, prints no raw control character', () => {
      const table = runTessera(server.databaseUrl, ['tokens', 'list']);
      assert.equal(table.status, 0, table.stderr);
      assert.doesNotMatch(table.stdout, RAW_CONTROL, JSON.stringify(table.stdout));
      assert.ok(table.stdout.includes('ci\\u001b[2J\\u000droot\\u0007\\u009b31m\\u202etxt.exe'));
      const json = runTessera(server.databaseUrl, ['tokens', 'list', '--json']);
      assert.equal(json.status, 0, json.stderr);
      assert.doesNotMatch(json.stdout, RAW_CONTROL, JSON.stringify(json.stdout));
      // Still JSON, and it still says exactly what is stored.
      const rows = JSON.parse(json.stdout) as { id: number; name: string; user: string }[];
      const row = rows.find((candidate) => candidate.id === tokenId);
      assert.equal(row?.name, HOSTILE);
      assert.equal(row?.user, `alice${HOSTILE}`);
    });

    it('users list and tokens rotate print no raw control character', () => {
      for (const args of [
        ['users', 'list'],
        ['users', 'list', '--json'],
        ['tokens', 'rotate', String(tokenId)],
      ]) {
        const run = runTessera(server.databaseUrl, args);
        assert.equal(run.status, 0, run.stderr);
        assert.doesNotMatch(
          run.stdout,
          RAW_CONTROL,
          `${args.join(' ')}: ${JSON.stringify(run.stdout)}`,
        );
        assert.ok(run.stdout.includes('alice'), run.stdout);
      }
    });
  });
}
