import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { THROTTLING_OFF } from '../../src/core/config/settings.js';
import { drfAuthorizationModel, headerArbitrary } from '../core/auth/drf-authorization-model.js';
import { AbuseServer } from './abuse-server.js';

// The bytes an HTTP header value may carry: tab, visible ASCII and space, obs-text (0x80-0xFF).
const NOT_IN_A_HEADER = /[^\t -~\u0080-\u00ff]/g;

/** DRF's answer on build-trigger (token authentication, IsAuthenticated) for one header. */
function expectedBody(header: string, validKey: string): { status: number; body: string } {
  const outcome = drfAuthorizationModel(header, ['Token']);
  if (outcome.kind === 'none') {
    return { status: 401, body: '{"detail":"Authentication credentials were not provided."}' };
  }
  if (outcome.kind === 'error')
    return { status: 401, body: JSON.stringify({ detail: outcome.message }) };
  if (outcome.key === validKey) return { status: 200, body: '' };
  return { status: 401, body: '{"detail":"Invalid token."}' };
}

describe('Authorization header fuzzed over HTTP (reference server, real socket)', () => {
  let server: AbuseServer;
  let key: string;
  before(async () => {
    server = await AbuseServer.start({ settings: THROTTLING_OFF });
    key = await server.issueKey(await server.createUser('alice', 'alice-password'));
  });
  after(() => server.close());

  test('any header bytes: DRF’s status and body, never a 5xx, never a 429', async () => {
    const header = fc.oneof(
      { arbitrary: headerArbitrary.map((value) => value.replace(NOT_IN_A_HEADER, ' ')), weight: 6 },
      {
        arbitrary: fc.constantFrom(
          'Token VALID',
          'token\tVALID',
          '  TOKEN VALID \t',
          'Token  VALID x',
        ),
        weight: 1,
      },
    );
    await fc.assert(
      fc.asyncProperty(header, async (template) => {
        const value = template.replace('VALID', key);
        const response = await server.trigger(value);
        assert.notEqual(response.status, 429);
        assert.deepEqual(
          { status: response.status, body: response.body },
          expectedBody(value, key),
        );
        if (response.status === 401) assert.equal(response.headers['www-authenticate'], 'Token');
      }),
      { numRuns: 400 },
    );
  });
});
