import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inParallel, loopbackAddress, requestFrom } from './support/loopback-client.js';
import {
  dropTestDatabases,
  runTessera,
  STORE_KINDS,
  TokenStoreServer,
} from './support/token-store-server.js';

after(() => dropTestDatabases());

const NULL_CHARACTERS = 'Null characters are not allowed.';

for (const kind of STORE_KINDS) {
  describe(`${kind}: NUL and lone surrogates in every string field that reaches the database`, () => {
    let server: TokenStoreServer;
    before(async () => {
      server = await TokenStoreServer.start(kind);
    });
    after(() => server.close());

    it("obtain-token answers DRF's 400 for a NUL in username or password, JSON or form, from many clients", async () => {
      const cases: { body: string; type: string; expected: unknown }[] = [
        {
          type: 'application/json',
          body: JSON.stringify({ username: 'ali\u0000ce', password: 'alice-password' }),
          expected: { username: [NULL_CHARACTERS] },
        },
        {
          type: 'application/json',
          body: JSON.stringify({ username: 'alice', password: 'x\u0000' }),
          expected: { password: [NULL_CHARACTERS] },
        },
        {
          type: 'application/json',
          body: JSON.stringify({ username: '\u0000', password: '\u0000' }),
          expected: { username: [NULL_CHARACTERS], password: [NULL_CHARACTERS] },
        },
        {
          type: 'application/x-www-form-urlencoded',
          body: 'username=alice%00&password=alice-password',
          expected: { username: [NULL_CHARACTERS] },
        },
        {
          type: 'application/json',
          body: '{"username":"al\\ud800ice","password":"alice-password"}',
          expected: { username: ['Surrogate characters are not allowed: U+D800.'] },
        },
      ];
      const answers = await inParallel(
        10,
        Array.from({ length: 30 }, (_, n) => {
          const { body, type } = cases[n % cases.length] as (typeof cases)[number];
          return () =>
            requestFrom(loopbackAddress(n), {
              url: `${server.url}/api-token-auth/`,
              method: 'POST',
              headers: { 'Content-Type': type },
              body,
            });
        }),
      );
      answers.forEach((answer, n) => {
        const { expected } = cases[n % cases.length] as (typeof cases)[number];
        assert.equal(answer.status, 400, answer.body);
        assert.deepEqual(JSON.parse(answer.body), expected);
      });
      // A refused field is no outage: nothing logged as one, and a real login still works.
      assert.doesNotMatch(server.log, /"statusCode":5\d\d|"level":50/);
      const login = await server.call('POST', '/api-token-auth/', undefined, {
        username: 'alice',
        password: 'alice-password',
      });
      assert.equal(login.status, 200, login.body);
    });

    it('the token API answers 400 for a NUL or lone surrogate in name or scopes', async () => {
      const cases: [unknown, unknown][] = [
        [{ name: 'ci\u0000' }, { name: [NULL_CHARACTERS] }],
        [{ name: '\u0000' }, { name: [NULL_CHARACTERS] }],
        [
          { name: 'ci\ud800\u0000' },
          { name: [NULL_CHARACTERS, 'Surrogate characters are not allowed: U+D800.'] },
        ],
        [{ name: 'ci', scopes: ['builds\u0000'] }, { scopes: [NULL_CHARACTERS] }],
      ];
      for (const [body, expected] of cases) {
        const answer = await server.call('POST', '/api/tokens/', server.adminKey, body);
        assert.equal(answer.status, 400, `${JSON.stringify(body)}: ${answer.body}`);
        assert.deepEqual(answer.json, expected, JSON.stringify(body));
      }
      const list = await server.call('GET', '/api/tokens/', server.adminKey);
      const named = (list.json as { kind: string }[]).filter((token) => token.kind === 'named');
      assert.deepEqual(named, []);
      assert.doesNotMatch(server.log, /"statusCode":5\d\d|"level":50/);
    });

    it('the shell refuses a NUL in a username or token name without asking the database', () => {
      // A NUL cannot travel in argv, so the shell's library calls are the way in.
      const run = runTessera(
        server.databaseUrl,
        ['shell'],
        {},
        [
          // Caught: an uncaught rejection at the end of piped input leaves the REPL hanging.
          "await tokens.list('ali\\u0000ce').catch((e) => e.message)",
          "await tokens.createNamed('ali\\u0000ce', { name: 'x' }).catch((e) => e.message)",
          "await tokens.createNamed('alice', { name: 'x\\u0000' }).catch((e) => e.detail)",
        ].join('\n'),
      );
      const output = run.stdout + run.stderr;
      assert.equal(output.match(/username: Null characters are not allowed\./g)?.length, 2, output);
      assert.match(output, /name: \[ 'Null characters are not allowed\.' \]/);
      assert.equal(run.status, 0, output);
      assert.doesNotMatch(output, /unavailable/);
    });
  });
}
