import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { THROTTLING_OFF } from '../../src/core/config/settings.js';
import { encodePbkdf2, generateSalt } from '../../src/core/passwords/django-pbkdf2.js';
import type { RawResponse } from '../parity/raw-http-client.js';
import { AbuseServer, countingPbkdf2, TEST_ITERATIONS } from './abuse-server.js';

/** Everything a client sees of an answer except the date. */
function visible(response: RawResponse) {
  const { date: _date, ...headers } = response.headers;
  return { status: response.status, headers, body: response.body };
}

describe('no user enumeration through obtain-token', () => {
  const hashes = countingPbkdf2();
  let server: AbuseServer;
  before(async () => {
    server = await AbuseServer.start({ settings: THROTTLING_OFF, pbkdf2: hashes.pbkdf2 });
    await server.createUser('alice', 'alice-password');
    await server.createUser('ivan', 'ivan-password', false);
    // A user whose hash predates the current iteration count (Django's harden_runtime case).
    const oldHash = await encodePbkdf2('olga-password', generateSalt(), TEST_ITERATIONS / 4);
    const olga = await server.createUser('olga', 'placeholder-password');
    await server.store.updateUser(olga, { password: oldHash });
  });
  after(() => server.close());

  const cases = [
    ['unknown user', 'mallory', 'alice-password'],
    ['wrong password', 'alice', 'wrong-password'],
    ['inactive user, right password', 'ivan', 'ivan-password'],
    ['inactive user, wrong password', 'ivan', 'wrong-password'],
    ['older hash, wrong password', 'olga', 'wrong-password'],
  ] as const;

  test('every refusal has the same status, headers and body', async () => {
    const answers = [];
    for (const [, username, password] of cases)
      answers.push(visible(await server.login(username, password)));
    const [first, ...rest] = answers;
    assert.equal(first?.status, 400);
    assert.equal(
      first?.body,
      '{"non_field_errors":["Unable to log in with provided credentials."]}',
    );
    for (const [i, answer] of rest.entries()) {
      assert.deepEqual(answer, first, cases[i + 1]?.[0]);
    }
  });

  test('every refusal costs exactly one full hash (the same work, whatever the cause)', async () => {
    for (const [name, username, password] of cases) {
      hashes.iterations.length = 0;
      await server.login(username, password);
      const total = hashes.iterations.reduce((sum, count) => sum + count, 0);
      assert.equal(total, TEST_ITERATIONS, name);
    }
  });

  test('the throttle does not tell them apart either', async () => {
    const throttled = await AbuseServer.start({ settings: { loginFailuresPerUserIp: '1/min' } });
    try {
      await throttled.createUser('alice', 'alice-password');
      const answers = [];
      for (const username of ['alice', 'mallory']) {
        await throttled.login(username, 'wrong');
        answers.push(visible(await throttled.login(username, 'wrong')));
      }
      assert.equal(answers[0]?.status, 429);
      assert.deepEqual(answers[1], answers[0]);
    } finally {
      await throttled.close();
    }
  });
});
